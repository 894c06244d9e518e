"""Each person's DM with Hearth, remembered: `/hearth` in a DM asks whose DM it is, and the answer never changes.

Slack's slash command payload does not say whose DM it was typed in; conversations.open for the person does (it
answers with their DM with Hearth). That answer is kept here, in this process's memory only, for a bounded number
of people (least recently used first out), so a second `/hearth` costs no Web API call. A failed call is not kept.
"""

from __future__ import annotations

from collections import OrderedDict

from slack_sdk.web.async_client import AsyncWebClient

MAX_PEOPLE = 4096


class HearthDms:
    def __init__(self, max_entries: int = MAX_PEOPLE) -> None:
        self._channels: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._max = max_entries

    async def channel(self, client: AsyncWebClient, team: str, user: str) -> str:
        """The id of `user`'s DM with Hearth. Raises what the Web API call raises, or KeyError/TypeError when
        Slack's answer has no channel id."""
        key = (team, user)
        if key in self._channels:
            self._channels.move_to_end(key)
            return self._channels[key]
        opened = await client.conversations_open(users=user)
        channel = str(opened["channel"]["id"])
        self._channels[key] = channel
        while len(self._channels) > self._max:
            self._channels.popitem(last=False)
        return channel
