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

A crisis reply that introduced Hearth does not say what Hearth keeps, for how long, nor /mydata and /forget (it
must stay uncluttered); that privacy line of the introduction is then owed (`UserKeys.privacy`, kept like the
introduction's flag, and remembered by this process the same way while Redis is down). The pipeline hands every
reply to `after`, which adds the line, once, to the first reply that is no crisis reply, whichever stage gave it.
It goes after the reply's own text, so a streamed reply still starts with what was streamed.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from redis.exceptions import RedisError

from bot.context import ContextStore
from bot.models import Level, Reply
from bot.pipeline import Turn

log = logging.getLogger(__name__)

MAX_REMEMBERED = 4096
# Replies the privacy line never rides on: the crisis path's own (the crisis reply, the direct question) and those
# adapters drop unsent.
_NOT_AFTER = frozenset({"crisis", "check_in", "duplicate", "folded", "edited"})
# Replies that are themselves about what Hearth keeps (/mydata, /forget): the person found it, so nothing is owed.
_ABOUT_DATA = frozenset({"mydata", "forget"})


class Introduction:
    def __init__(
        self,
        context: ContextStore,
        text: Callable[[Turn], str],
        privacy: Callable[[Turn, str | None], str] | None = None,
        *,
        max_entries: int = MAX_REMEMBERED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._context = context
        self._text = text
        self._privacy = privacy
        self._max = max_entries
        self._clock = clock
        # (user, conversation) pseudonyms → until when this process counts them as introduced (Redis down only).
        self._introduced: OrderedDict[tuple[str, str], float] = OrderedDict()
        # (user, conversation) pseudonyms → until when the privacy line is owed to them (Redis down only).
        self._owed: OrderedDict[tuple[str, str], float] = OrderedDict()

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
        self._remember(self._introduced, _key(turn))

    def owed(self, turn: Turn) -> tuple[str, ...]:
        """A crisis reply introduces Hearth on this turn (after `shown`): its privacy line is owed to the person.
        Returns the flags the caller keeps with what it saves, where Redis answers."""
        if self._privacy is None:
            return ()
        turn.session.privacy_due = True
        if not turn.session.available:
            self._remember(self._owed, _key(turn))
        return ("privacy",)

    def privacy_due(self, turn: Turn) -> bool:
        """Whether the privacy line is still owed (Redis's flag, or with Redis down this process's memory)."""
        if turn.session.available:
            return turn.session.privacy_due
        until = self._owed.get(_key(turn))
        return until is not None and until > self._clock()

    async def after(self, turn: Turn, reply: Reply) -> Reply:
        """`reply`, followed by the privacy line where it is owed and `reply` is no crisis reply; /mydata's and
        /forget's answers settle what is owed without it."""
        if self._privacy is None or not reply.text or reply.kind in _NOT_AFTER or reply.level.at_least(Level.URGENT):
            return reply
        if not self.privacy_due(turn):
            return reply
        if turn.session.available:
            try:
                await self._context.drop_privacy(turn.msg.user)
            except (RedisError, OSError) as exc:
                log.warning("could not drop the privacy flag: %s", type(exc).__name__)
        turn.session.privacy_due = False
        self._owed.pop(_key(turn), None)
        if reply.kind in _ABOUT_DATA:
            return reply
        return replace(reply, text=f"{reply.text}\n\n{self._privacy(turn, reply.language)}")

    def _remember(self, memory: OrderedDict[tuple[str, str], float], key: tuple[str, str]) -> None:
        """Keep `key` in `memory` for as long as the flag in Redis would last; the least recent go first."""
        memory[key] = self._clock() + self._context.flag_ttl
        memory.move_to_end(key)
        while len(memory) > self._max:
            memory.popitem(last=False)

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
