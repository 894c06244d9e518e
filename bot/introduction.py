"""The first-contact introduction: who has been told what Hearth is, and the introduction itself.

The consent stage introduces Hearth to whoever reaches it; a stage that answers earlier would otherwise leave
someone's first exchange without being told that Hearth is an automated bot and what it can and cannot do
(SAFETY.md rule 5, DESIGN.md "the first-contact disclaimer appears at first contact"). The crisis stage's replies
say so themselves (the crisis reply and the direct question both say Hearth is an automated bot), so someone
whose first words were a crisis is not greeted again on their next message.

It is shown once: the flag is kept in Redis (`UserKeys.disclaimer`, for `DISCLAIMER_TTL`). While Redis does not
answer, no flag can be read or kept, and every message would be a first contact; this process then remembers
whom it introduced itself, per conversation, for as long as the flag would have lasted: pseudonyms only, never
text, in a bounded memory (the least recently introduced go first). When Redis answers again, its flag decides
(a greeting lost with the outage may come once more, and a /forget since is respected).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from redis.exceptions import RedisError

from bot.context import ContextStore
from bot.models import Reply
from bot.pipeline import Turn

log = logging.getLogger(__name__)

MAX_REMEMBERED = 4096


class Introduction:
    def __init__(
        self,
        context: ContextStore,
        text: Callable[[Turn], str],
        *,
        max_entries: int = MAX_REMEMBERED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._context = context
        self._text = text
        self._max = max_entries
        self._clock = clock
        # (user, conversation) pseudonyms → until when this process counts them as introduced (Redis down only).
        self._introduced: OrderedDict[tuple[str, str], float] = OrderedDict()

    def text(self, turn: Turn) -> str:
        """The introduction, in the turn's language."""
        return self._text(turn)

    def due(self, turn: Turn) -> bool:
        """Whether this turn is the person's first contact: nothing says they were introduced (the session's flag,
        their consent; with Redis down, this process's own memory of having introduced itself here)."""
        session = turn.session
        if session.disclaimer_seen or session.consent:
            return False
        if session.available:
            return True
        until = self._introduced.get(_key(turn))
        return until is None or until <= self._clock()

    def shown(self, turn: Turn) -> None:
        """This turn introduces Hearth (the caller keeps the Redis flag with what it saves, where Redis answers)."""
        turn.session.disclaimer_seen = True
        if turn.session.available:
            return
        key = _key(turn)
        self._introduced[key] = self._clock() + self._context.flag_ttl
        self._introduced.move_to_end(key)
        while len(self._introduced) > self._max:
            self._introduced.popitem(last=False)

    async def before(self, turn: Turn, reply: Reply) -> Reply:
        """`reply`, after the introduction when this is the person's first contact."""
        if not self.due(turn):
            return reply
        if turn.session.available:
            try:
                await self._context.save(turn.msg.user, turn.msg.conversation, flags=("disclaimer",))
            except (RedisError, OSError) as exc:
                log.warning("could not keep the introduction flag: %s", type(exc).__name__)
        self.shown(turn)
        return replace(reply, text=f"{self._text(turn)}\n\n{reply.text}")


def _key(turn: Turn) -> tuple[str, str]:
    return turn.msg.user, turn.msg.conversation
