"""Each person's Slack language ("es-ES"), from users.info with `include_locale`, remembered for a short while.

Slack sends no locale with a message, a command, a button or `app_home_opened`, so the check-in modal and App Home
could only be English, and the core's last resort for a message that does not say its language
(`IncomingMessage.locale`, as Discord fills it) had nothing to go on. users.info answers it (`user.locale`).

The answer is kept in this process's memory only, for a bounded number of people (least recently used first out)
and for `ttl` seconds, so a person's turns cost one Web API call per `ttl`, and a changed Slack language is seen
soon. A failed, refused (no `users:read`) or slow call gives None, English where nothing else says, and is kept for
`failure_ttl` only: a modal's trigger expires three seconds after the press, so the call is bounded by `timeout`,
and a Slack outage costs one call per person per `failure_ttl`, not one per message. Nothing here raises.

A message with words never waits for Slack (`known` and `warm`): its words say its language, and a crisis must be
answered at once; it takes what is already known and has Slack asked in the background, for the next turn. Nor do
the crisis buttons ("Show crisis lines", "Talk to a person") and a submitted check-in: the conversation's language
is known from the reply they answer (and the modal's from when it opened), and a person who pressed one must not
wait a second for Slack to say what the conversation already does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.deliver import SEND_ERRORS, reason

log = logging.getLogger(__name__)

MAX_PEOPLE = 4096
LOCALE_TTL = 600.0
FAILURE_TTL = 60.0
LOOKUP_TIMEOUT = 1.0


class SlackLocales:
    def __init__(
        self,
        client: AsyncWebClient,
        *,
        max_entries: int = MAX_PEOPLE,
        ttl: float = LOCALE_TTL,
        failure_ttl: float = FAILURE_TTL,
        timeout: float = LOOKUP_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._known: OrderedDict[tuple[str, str], tuple[float, str | None]] = OrderedDict()
        self._max = max_entries
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._timeout = timeout
        self._clock = clock
        self._asking: dict[tuple[str, str], asyncio.Task[str | None]] = {}

    def known(self, team: str, user: str) -> str | None:
        """`user`'s Slack locale if it is already known and fresh, without asking Slack."""
        kept = self._known.get((team, user))
        return kept[1] if kept is not None and kept[0] > self._clock() else None

    def warm(self, team: str, user: str) -> None:
        """Has Slack asked in the background, unless a fresh answer (or failure) is kept or a call is under way."""
        key = (team, user)
        kept = self._known.get(key)
        if not user or key in self._asking or (kept is not None and kept[0] > self._clock()):
            return
        task = asyncio.get_running_loop().create_task(self.get(team, user))
        self._asking[key] = task
        task.add_done_callback(lambda _: self._asking.pop(key, None))

    async def get(self, team: str, user: str) -> str | None:
        """`user`'s Slack locale ("es-ES"), or None when Slack does not say or cannot be asked."""
        if not user:
            return None
        key = (team, user)
        now = self._clock()
        kept = self._known.get(key)
        if kept is not None and kept[0] > now:
            self._known.move_to_end(key)
            return kept[1]
        locale = await self._ask(user)
        self._known[key] = (now + (self._ttl if locale else self._failure_ttl), locale)
        self._known.move_to_end(key)
        while len(self._known) > self._max:
            self._known.popitem(last=False)
        return locale

    async def _ask(self, user: str) -> str | None:
        try:
            async with asyncio.timeout(self._timeout):
                answer = await self._client.users_info(user=user, include_locale=True)
        except SEND_ERRORS as exc:
            log.warning("could not learn a person's Slack language: %s", reason(exc))
            return None
        person = answer.get("user")
        locale = person.get("locale") if isinstance(person, dict) else None
        return locale if isinstance(locale, str) and locale.strip() else None
