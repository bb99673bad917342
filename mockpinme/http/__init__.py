"""The HTTP side: the aiohttp app, one module per endpoint, the journaling wrapper, the writers.

The top layer below the harness and the CLI; ids are rendered here and nowhere else.
"""
