"""OpenRouter's shapes: the error catalogue, completion and chunk bodies, SSE, stream plans, faults.

The bottom layer: it imports nothing of mockpinme's but :mod:`mockpinme.template`.
"""
