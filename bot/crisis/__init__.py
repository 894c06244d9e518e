"""Crisis interception: normalise → detect → respond. Needs no Redis and no LLM to answer a crisis.

The service is imported lazily so `python -m bot.crisis` (the detector alone) starts in a fraction of the
time the whole core takes to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.crisis.service import Crisis, build_crisis

__all__ = ["Crisis", "build_crisis"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bot.crisis import service

        return getattr(service, name)
    raise AttributeError(name)
