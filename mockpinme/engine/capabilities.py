"""What a known model cannot serve: chat on a model that does not write text, content parts its
input modalities lack, function tools where no endpoint supports them."""

from __future__ import annotations

from ..openrouter.errors import RenderedError
from .catalog import ModelInfo
from .refusals import named_error
from .request import ChatRequest
from .session import Session

_PART_MODALITY = {"image_url": "image", "input_audio": "audio", "video_url": "video"}


def needed_modalities(request: ChatRequest) -> set[str]:
    """The input modalities the messages' content parts need (files are parsed for any model)."""
    needed = set()
    for message in request.messages:
        content = message.get("content") if isinstance(message, dict) else None
        for part in content if isinstance(content, list) else []:
            kind = part.get("type") if isinstance(part, dict) else None
            if kind in _PART_MODALITY:
                needed.add(_PART_MODALITY[kind])
    return needed


def unservable(session: Session, request: ChatRequest, model: ModelInfo) -> RenderedError | None:
    """OpenRouter's error when ``model`` cannot answer this chat request, else None."""
    key = request.api_key
    endpoint = model.chat_endpoint
    if endpoint is not None:
        values = {"model": model.id, "endpoint": endpoint}
        return named_error(session, "openrouter.not_chat_model", api_key=key, values=values)
    needed = needed_modalities(request)
    missing = sorted(needed - model.input_modalities) if needed else None
    if missing:
        return named_error(
            session, "openrouter.unsupported_input", api_key=key, values={"modality": missing[0]}
        )
    if request.function_tools and "tools" not in model.supported_parameters:
        return named_error(session, "openrouter.no_tool_endpoints", api_key=key)
    return None
