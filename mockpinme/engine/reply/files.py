"""The ``file`` annotations OpenRouter's file parser adds when a message carries a document."""

from __future__ import annotations

import hashlib
from typing import Any

from ..request import ChatRequest


def file_annotations(request: ChatRequest) -> list[dict[str, Any]]:
    """One annotation per inline file (``file_data``): its name, a hash, the parsed text parts."""
    found = []
    for message in request.messages:
        content = message.get("content") if isinstance(message, dict) else None
        for part in content if isinstance(content, list) else []:
            file = part.get("file") if isinstance(part, dict) and part.get("type") == "file" else None
            if not isinstance(file, dict):
                continue
            data = file.get("file_data")
            if not isinstance(data, str) or not data or data.startswith(("http://", "https://")):
                continue
            name = str(file.get("filename") or "document.pdf")
            title = name.rsplit(".", 1)[0].replace("_", " ").replace("-", " ").title()
            parsed = [
                {"type": "text", "text": f'<file name="{name}">'},
                {"type": "text", "text": f"# {title}"},
                {"type": "text", "text": "</file>"},
            ]
            digest = hashlib.sha256(data.encode()).hexdigest()
            found.append({"type": "file", "file": {"hash": digest, "name": name, "content": parsed}})
    return found
