"""The first-contact introduction for answers given before the consent stage (a tool, an over-long message).

The consent stage introduces Hearth to whoever reaches it; a stage that answers earlier would otherwise leave
someone's first exchange without being told that Hearth is an automated bot and what it can and cannot do
(SAFETY.md rule 5, DESIGN.md "the first-contact disclaimer appears at first contact"). It is shown once: the flag
is kept like the consent stage's, and without the short-term memory it is left out rather than shown every time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from redis.exceptions import RedisError

from bot.context import ContextStore
from bot.models import Reply
from bot.pipeline import Turn

log = logging.getLogger(__name__)


class Introduction:
    def __init__(self, context: ContextStore, text: Callable[[Turn], str]) -> None:
        self._context = context
        self._text = text

    async def before(self, turn: Turn, reply: Reply) -> Reply:
        """`reply`, after the introduction when this is the person's first contact."""
        session = turn.session
        if session.disclaimer_seen or session.consent or not session.available:
            return reply
        try:
            await self._context.save(turn.msg.user, turn.msg.conversation, flags=("disclaimer",))
        except (RedisError, OSError) as exc:
            log.warning("could not keep the introduction flag: %s", type(exc).__name__)
        session.disclaimer_seen = True
        return replace(reply, text=f"{self._text(turn)}\n\n{reply.text}")
