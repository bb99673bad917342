"""``mockpinme record``: a proxy to the real service that writes what passes through as a scenario.

A top-level tool beside the server: it may use the layers below, and nothing below imports it.
"""
