"""Hearth installed in two workspaces, each with its own bot token (OAuth): each one's links are its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult

from adapters.slack.app import web_client
from adapters.slack.listeners import SlackListeners
from adapters.slack.modes import http_server
from bot.bootstrap import App
from tests.fakes.slack_server import BOT_ID, BOT_TOKEN, BOT_USER, TEAM, FakeSlack
from tests.slack.conftest import CHANNEL, SIGNING_SECRET, HttpSlack, command, mention

OTHER_TEAM = "T0OTHER"
OTHER_TOKEN = "xoxb-other-team-token"
OTHER_URL = "https://other-team.slack.com/"
CHAMPS = "C0CHAMPS"
IMMINENT = "i have the pills ready to end it tonight"


@pytest.fixture
async def two_teams(hearth: App, slack: FakeSlack) -> AsyncIterator[HttpSlack]:
    """Bolt with per-team authorization, as under multi-workspace OAuth: every request gets its team's token."""
    slack.workspaces[OTHER_TOKEN] = (OTHER_TEAM, OTHER_URL)
    tokens = {TEAM: BOT_TOKEN, OTHER_TEAM: OTHER_TOKEN}

    async def authorize(team_id: str | None = None, **_: Any) -> AuthorizeResult:
        token = tokens[str(team_id)]
        return AuthorizeResult(enterprise_id=None, team_id=team_id, bot_token=token, bot_user_id=BOT_USER,
                               bot_id=BOT_ID)  # fmt: skip

    bolt = AsyncApp(client=web_client(hearth.settings.slack), signing_secret=SIGNING_SECRET, authorize=authorize)
    SlackListeners(hearth, bolt).register()
    async with http_server(bolt, "127.0.0.1", 0) as url, aiohttp.ClientSession() as session:
        yield HttpSlack(url, session)


def alerts(slack: FakeSlack) -> list[str]:
    return [str(call["text"]) for call in slack.called("chat.postMessage") if call["channel"] == CHAMPS]


def in_team(body: dict[str, Any], team: str) -> dict[str, Any]:
    body["team_id"] = body["event"]["team"] = body["authorizations"][0]["team_id"] = team
    return body


async def test_each_workspaces_champions_get_a_link_into_their_own_workspace(two_teams, slack):
    slack.admins.add("U0ALICE")
    for team in (TEAM, OTHER_TEAM):
        await two_teams.command({**command(f"config moderators <#{CHAMPS}|champions>", slack), "team_id": team})
    await slack.wait_for(lambda: len(slack.responses) == 2)
    first, second = in_team(mention(IMMINENT), TEAM), in_team(mention(IMMINENT), OTHER_TEAM)

    await two_teams.event(first)
    await slack.wait_for(lambda: alerts(slack))
    await two_teams.event(second)

    shown = await slack.wait_for(lambda: len(alerts(slack)) == 2 and alerts(slack))
    assert f"<https://hearth-test.slack.com/archives/{CHANNEL}/p{first['event']['ts'].replace('.', '')}|" in shown[0]
    assert f"<{OTHER_URL}archives/{CHANNEL}/p{second['event']['ts'].replace('.', '')}|" in shown[1]
