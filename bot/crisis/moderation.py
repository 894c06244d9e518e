"""The optional second opinion: OpenAI's moderation endpoint, asked about self-harm.

It can only raise a level (the caller ignores a "not flagged"), and any failure (timeout, error status, no
network) counts as "no opinion": a crisis path that fails open on a third-party error is what Hearth exists to
avoid. On only when `CRISIS_MODERATION=on` and an OpenAI key or base URL is configured.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.config import Settings

if TYPE_CHECKING:
    from openai import AsyncOpenAI

log = logging.getLogger(__name__)

_SELF_HARM = ("self_harm", "self_harm_intent", "self_harm_instructions")


class Moderation:
    def __init__(self, client: AsyncOpenAI) -> None:
        self._client = client

    async def flags_self_harm(self, text: str) -> bool:
        from openai import OpenAIError

        try:
            response = await self._client.moderations.create(input=text[:4000])
        except (OpenAIError, OSError) as exc:
            log.warning("moderation check unavailable: %s", type(exc).__name__)
            return False
        for result in response.results:
            categories = result.categories
            if any(getattr(categories, name, False) for name in _SELF_HARM):
                return True
        return False

    async def aclose(self) -> None:
        await self._client.close()


def build_moderation(settings: Settings) -> Moderation | None:
    llm, crisis = settings.llm, settings.crisis
    if not crisis.crisis_moderation or not llm.configured:
        return None
    from openai import AsyncOpenAI

    key = llm.openai_api_key.get_secret_value() if llm.openai_api_key is not None else "not-needed"
    client = AsyncOpenAI(
        api_key=key, base_url=llm.openai_base_url, timeout=crisis.crisis_moderation_timeout, max_retries=0
    )
    return Moderation(client)
