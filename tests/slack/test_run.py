"""`run(app)`: what `python -m bot slack` calls picks the mode from the settings and says clearly what is missing."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from adapters.slack import run
from bot.config import ConfigError
from tests.slack.conftest import dm
from tests.slack.helpers import text_of


async def test_run_connects_in_socket_mode_and_answers(hearth, slack):
    task = asyncio.create_task(run(hearth))
    try:
        await slack.connected()
        await slack.send_envelope("events_api", dm("/about"))
        reply = (await slack.wait_for(lambda: slack.called("chat.postMessage")))[0]
        assert "automated" in text_of(reply)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.mark.parametrize(
    ("changes", "variable"),
    [
        ({"slack_app_token": None}, "SLACK_APP_TOKEN"),
        ({"slack_mode": "http", "slack_signing_secret": None}, "SLACK_SIGNING_SECRET"),
        ({"slack_bot_token": None}, "SLACK_BOT_TOKEN"),
    ],
)
async def test_a_missing_setting_is_one_clear_line(hearth, changes, variable):
    slack_settings = hearth.settings.slack.model_copy(update=changes)
    app = dataclasses.replace(hearth, settings=dataclasses.replace(hearth.settings, slack=slack_settings))

    with pytest.raises(ConfigError, match=variable):
        await run(app)
