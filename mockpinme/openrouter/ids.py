"""Ids as each service makes them: base62 generation ids, tool-call ids per provider, opaque blobs."""

from __future__ import annotations

import base64
import binascii
import random
import re
from dataclasses import dataclass

from .providers import ToolIdStyle

_FROM_BASE64 = bytes.maketrans(b"+/=", b"xyz")


def base62(rng: random.Random, length: int) -> bytes:
    """``length`` random characters of ``[0-9A-Za-z]`` (base64 of random bytes, ``+/`` as letters)."""
    size = -(-length * 3 // 4)
    drawn = rng.getrandbits(size * 8).to_bytes(size, "little")
    return binascii.b2a_base64(drawn, newline=False)[:length].translate(_FROM_BASE64)


def generation_id(rng: random.Random, created: int) -> bytes:
    """``gen-<unix>-<20 base62>``."""
    drawn = binascii.b2a_base64(rng.getrandbits(120).to_bytes(15, "little"), newline=False)
    return b"gen-%d-%s" % (created, drawn[:20].translate(_FROM_BASE64))


@dataclass(frozen=True, slots=True)
class CallId:
    """How a tool call's id is made: the provider's style, and the function name (Google uses it)."""

    style: ToolIdStyle = "openai"
    name: str = ""


def tool_call_id(rng: random.Random, call: CallId) -> bytes:
    """``call_<24 base62>`` (OpenAI), ``toolu_bdrk_01<22>`` (Anthropic on Bedrock),
    ``tool_<name>_<20>`` (Google), 9 characters (Mistral), ``call_00_<24>`` (DeepSeek), ``call_<24 hex>``."""
    match call.style:
        case "bedrock":
            return b"toolu_bdrk_01" + base62(rng, 22)
        case "google":
            name = re.sub(r"[^A-Za-z0-9_]", "_", call.name).encode()
            return b"tool_%s_%s" % (name, base62(rng, 20))
        case "mistral":
            return base62(rng, 9)
        case "deepseek":
            return b"call_00_" + base62(rng, 24)
        case "hex":
            return b"call_%024x" % rng.getrandbits(96)
        case _:
            return b"call_" + base62(rng, 24)


def blob(rng: random.Random, size: int) -> str:
    """Base64 of ``size`` seeded bytes: an encrypted reasoning item or a signature."""
    return base64.b64encode(rng.randbytes(size)).decode()


def anthropic_signature(rng: random.Random) -> str:
    """A signature shaped like Anthropic's: base64 of a protobuf-like message, ``Er…`` or ``Eu…``."""
    body = rng.randbytes(rng.randrange(180, 320))
    return base64.b64encode(b"\x12" + bytes([len(body) % 128 | 128, 1]) + b"\nH\x08" + body).decode()


def encrypted_reasoning(rng: random.Random) -> tuple[str, str]:
    """An OpenAI Responses reasoning item: its ``rs_…`` id and the ``gAAAAA…`` Fernet-style data."""
    item = "rs_" + rng.randbytes(25).hex()
    data = "gAAAAAB" + base64.urlsafe_b64encode(rng.randbytes(rng.randrange(500, 900))).decode()
    return item, data
