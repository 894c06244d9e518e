"""Sending one reply: streamed into a message, moved out of public channels when private, alerts to champions.

The core decides *whether* a reply is private; this module decides *how* on Slack: an ephemeral message
and a DM to the person, at most the core's neutral `public_notice` in the thread, and never a dropped
resource: if neither private route works, the neutral line and the crisis lines go in the thread.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.translate import Place
from bot.models import ModeratorAlert, Reply
from bot.prompts import Messages

log = logging.getLogger(__name__)

# Replies with nothing to show: a redelivered event already answered, a message answered with the next one, or an
# edit that is no crisis.
DROPPED = frozenset({"duplicate", "folded", "edited"})
# A Slack user id: where champions have no link to open, the alert mentions the person (who to reach).
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")

# Sent with every message: no @-mention expansion, no previews of links (a preview can leak a page's title).
SAFE: dict[str, Any] = {"link_names": False, "unfurl_links": False, "unfurl_media": False}

# What a Web API call can raise: Slack said no, or Slack could not be reached.
SEND_ERRORS = (SlackApiError, ClientError, asyncio.TimeoutError)

# The crisis lines for the person's workspace, in a language of the core's ("es"; None for English).
ResourcesText = Callable[[str | None], Awaitable[str]]
# A workspace's (a tenant's) champions' channel, if one is set, and the texts its champions read, in its language.
Champions = Callable[[str], Awaitable[tuple[str | None, Messages]]]


def alert_text(alert: ModeratorAlert, said: Messages, person: str | None = None, *, in_dm: bool = False) -> str:
    """A link champions can open; where there is none (a DM with Hearth, a /hearth command's private answer,
    App Home), the person's mention instead, so a champion can message them: who to reach, never their words.
    In `said`'s language, the workspace's; the level keeps Hearth's own name for it (imminent, urgent)."""
    usable = alert.link and alert.link.startswith("https://") and "|" not in alert.link
    if usable:
        link = f"<{blocks.escape(alert.link or '')}|{_escaped(said, 'mod_slack_open')}>"
    elif person and _USER_ID.match(person):
        link = _escaped(said, "mod_slack_in_dm" if in_dm else "mod_slack_no_link", person=f"<@{person}>")
    else:
        link = _escaped(said, "mod_slack_no_place")
    text = _escaped(said, "mod_slack_alert", level=alert.level.value, link=link)
    if alert.summary:
        text += "\n" + _escaped(said, "mod_shared", summary=blocks.escape(alert.summary))
    return text


def _escaped(said: Messages, key: str, **values: str) -> str:
    """A message whose own words Slack shows as written (a `<` or `&` in a translation makes no link or
    mention); `values` are Hearth's own links and mentions, or escaped already."""
    return blocks.escape(said.texts[key]).format(**values)


class Responder:
    """Answers one message at one `Place`. `partial` is the core's `PartialSink` for streamed replies."""

    def __init__(
        self,
        client: AsyncWebClient,
        place: Place,
        *,
        update_interval: float,
        resources_text: ResourcesText,
        champions: Champions,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._place = place
        self._interval = update_interval
        self._resources_text = resources_text
        self._champions = champions
        self._clock = clock
        self._streamed_ts: str | None = None
        self._last_update = 0.0

    async def partial(self, text: str) -> None:
        """First partial posts the message; later ones edit it, at most once per `update_interval`.

        Best effort: a failed edit (rate limit, network) is skipped, and the final reply still arrives.
        """
        now = self._clock()
        try:
            if self._streamed_ts is None:
                answer = await self._post(self._place.channel, blocks.message(text), thread_ts=self._place.thread_ts)
                self._streamed_ts = answer.get("ts")
                self._last_update = now
            elif now - self._last_update >= self._interval:
                self._last_update = now
                await self._client.chat_update(
                    channel=self._place.channel, ts=self._streamed_ts, **blocks.message(text)
                )
        except SEND_ERRORS as exc:
            log.warning("could not show a partial reply: %s", reason(exc))

    async def send(self, reply: Reply, *, personal: bool = False) -> None:
        """`reply.private` goes ephemeral and by DM; `personal` (a button press) ephemeral only, where possible."""
        if reply.kind in DROPPED:
            return
        if (reply.private or personal) and not self._place.is_dm:
            await self._send_privately(reply, also_dm=reply.private)
        else:
            await self._send_here(reply)
        if reply.alert is not None and not await self.alert(reply.alert):
            await self._tell_undelivered(reply.alert, also_dm=reply.private)

    async def direct(self, reply: Reply) -> bool:
        """A copy by DM, for private replies whose first copy was ephemeral (ephemeral messages vanish)."""
        return await self._direct_message(blocks.reply_message(reply))

    async def alert(self, alert: ModeratorAlert) -> bool:
        """Tell the wellbeing champions: a link and a level, never the person's words. False when it did not
        get through (no channel to be found, the bot not in it, a missing scope, Slack down): the person has
        read that the champions were told, so the caller must tell them `alert.undelivered`; the core is told too
        (`alert.failed()`), so that a later "Talk to a person" tries again."""
        channel, said = await self._champions(alert.tenant)
        if channel is None:
            log.warning("a champions' alert had no channel to go to")
            posted = False
        else:
            text = alert_text(alert, said, self._place.user, in_dm=self._place.is_dm)
            posted = await self._quietly(self._post(channel, {"text": text, "blocks": blocks_for_alert(text)}))
        if not posted:
            await alert.failed()
        return posted

    async def _tell_undelivered(self, alert: ModeratorAlert, *, also_dm: bool) -> None:
        """`alert.undelivered` to the person alone, by the route their reply took; never in a channel's thread,
        where it would tell everyone that someone was reported as in danger."""
        if not alert.undelivered:
            return
        payload = blocks.message(alert.undelivered)
        if not self._place.is_dm:
            await self._privately(payload, also_dm=also_dm)
        elif self._place.channel:
            await self._quietly(self._post(self._place.channel, payload, thread_ts=self._place.thread_ts))
        else:
            await self._direct_message(payload)

    def _in_place(self, reply: Reply) -> dict[str, Any]:
        """The reply as posted where the person is: its buttons carry the thread, so a press answers there."""
        return blocks.reply_message(reply, self._place.thread_ts if self._place.channel else None)

    async def _send_here(self, reply: Reply) -> None:
        payload = self._in_place(reply)
        if not self._place.channel:
            await self._direct_message(payload)
        elif self._streamed_ts is not None:
            await self._client.chat_update(channel=self._place.channel, ts=self._streamed_ts, **payload)
        else:
            await self._post(self._place.channel, payload, thread_ts=self._place.thread_ts)

    async def _send_privately(self, reply: Reply, *, also_dm: bool) -> None:
        place = self._place
        if self._streamed_ts is not None:
            await self._quietly(self._client.chat_delete(channel=place.channel, ts=self._streamed_ts))
        delivered = await self._privately(self._in_place(reply), also_dm=also_dm, dm=blocks.reply_message(reply))
        notice = reply.public_notice
        if not delivered:
            # Resources are never dropped: the neutral line and the crisis lines, nothing of what was said, in the
            # language the reply was written in.
            notice = f"{notice or ''}\n\n{await self._resources_text(reply.language)}".strip()
        if notice and place.channel:
            await self._post(place.channel, blocks.message(notice), thread_ts=place.thread_ts)

    async def _privately(self, payload: dict[str, Any], *, also_dm: bool, dm: dict[str, Any] | None = None) -> bool:
        """Ephemeral where the person is, and by DM (`dm`, else `payload`) when asked or when the ephemeral failed:
        True if either worked."""
        place = self._place
        delivered = False
        if place.channel:
            delivered = await self._quietly(
                self._client.chat_postEphemeral(
                    channel=place.channel, user=place.user, thread_ts=place.thread_ts, link_names=False, **payload
                )
            )
        if also_dm or not delivered:
            delivered = await self._direct_message(dm or payload) or delivered
        return delivered

    async def _direct_message(self, payload: dict[str, Any]) -> bool:
        try:
            opened = await self._client.conversations_open(users=self._place.user)
            await self._post(str(opened["channel"]["id"]), payload)
        except SEND_ERRORS as exc:
            log.warning("could not send a DM: %s", reason(exc))
            return False
        return True

    async def _post(self, channel: str, payload: dict[str, Any], thread_ts: str | None = None) -> dict[str, Any]:
        answer = await self._client.chat_postMessage(channel=channel, thread_ts=thread_ts, **SAFE, **payload)
        return dict(answer.data) if isinstance(answer.data, dict) else {}

    @staticmethod
    async def _quietly(call: Awaitable[Any]) -> bool:
        try:
            await call
        except SEND_ERRORS as exc:
            log.warning("a Slack call failed: %s", reason(exc))
            return False
        return True


def blocks_for_alert(text: str) -> list[blocks.Block]:
    # The alert text is built by Hearth (escaped summary, a link Hearth made), so it is not escaped again.
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}]


def reason(exc: BaseException) -> str:
    """Slack's error code or the exception's type: never a payload, which could hold someone's words."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error"))
    return type(exc).__name__
