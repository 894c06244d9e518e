"""The workspace's own address (`https://name.slack.com/`), which Slack's archive permalinks start with.

Bolt's single-workspace authorization calls auth.test but does not keep the URL it answers, so Hearth asks
auth.test itself, once per team for the life of one app, and builds champions' links from it without a
chat.getPermalink call per message. A failed call is not kept: the next message asks again.

auth.test answers for the token it is called with, so it is asked with the request's own client (Bolt's
`context.client`, holding that team's token when each workspace installed Hearth with a token of its own).
"""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.deliver import SEND_ERRORS, reason

log = logging.getLogger(__name__)


class WorkspaceUrls:
    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._urls: dict[str, str] = {}

    async def get(self, team: str, client: AsyncWebClient | None = None) -> str | None:
        """`client`: the one holding `team`'s token (the request's); the app's own client without one."""
        if team in self._urls:
            return self._urls[team]
        try:
            answer = await (client or self._client).auth_test()
        except SEND_ERRORS as exc:
            log.warning("could not learn the workspace's address: %s", reason(exc))
            return None
        url = answer.get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            return None
        self._urls[team] = url
        return url
