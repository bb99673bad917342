"""Bytes on the wire: error bodies, SSE encoding and the clock that paces them."""
