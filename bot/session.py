"""The stage that reads what Redis holds for this user and conversation, once per message.

It stands before the crisis stage so an earlier turn of distress can raise a later ambiguous one. When Redis is
down it carries on with an empty session marked unavailable: the crisis path must work without Redis.
"""

from __future__ import annotations

from bot.context import ContextStore
from bot.models import Reply
from bot.pipeline import Turn


class LoadSessionStage:
    name = "load_session"

    def __init__(self, context: ContextStore) -> None:
        self._context = context

    async def run(self, turn: Turn) -> Reply | None:
        turn.session = await self._context.load(turn.msg.user, turn.msg.conversation, turn.msg.tenant)
        return None
