"""SIGTERM while Hearth is answering on Slack, with `run(app)` served by `bot.shutdown.serve` as `python -m bot
slack` runs it (Socket Mode): Bolt answers after its ack in a task of its own, and the answer in flight still
reaches Slack before the adapter stops, even when Slack holds it back with a rate limit (Retry-After: 1)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from adapters.slack import run
from bot.bootstrap import App
from tests.fakes.openai_server import Script
from tests.fakes.slack_server import FakeSlack
from tests.helpers import Serving
from tests.slack.conftest import ALICE_DM, CHANNEL, button, checkin_submission, command, dm
from tests.slack.helpers import text_of

GRACE = 10.0
SAID = "my sister stopped talking to me"
REPLY = "That sounds painful. It makes sense that her silence weighs on you, and I am here to listen."


async def served(app: App, slack: FakeSlack) -> Serving:
    serving = Serving(run(app), app.pipeline, GRACE)
    await slack.connected()
    return serving


async def test_sigterm_while_a_dm_reply_is_written_still_delivers_all_of_it(hearth, slack, fake_llm, caplog):
    caplog.set_level(logging.INFO, logger="bot.shutdown")
    fake_llm.push(Script(text=REPLY, delay=1.0))
    slack.rate_limit("chat.update")
    serving = await served(hearth, slack)

    await slack.send_envelope("events_api", dm(SAID))
    await fake_llm.wait_for_requests(1)  # the reply is being written
    serving.sigterm()
    took = await serving.stopped()

    shown = slack.called("chat.postMessage")[0]
    updates = slack.called("chat.update")
    assert REPLY not in text_of(shown), "streamed: the first message shows only the start"
    assert updates and REPLY in text_of(updates[-1]), "the whole reply, before the adapter stopped"
    assert shown["channel"] == updates[-1]["channel"] == ALICE_DM
    assert [call.method for call in slack.refused] == ["chat.update"], "Slack held the final edit back"
    assert took < GRACE
    assert "stopping on SIGTERM: nothing was left in flight" in caplog.text
    assert SAID not in caplog.text


Payload = Callable[[FakeSlack], tuple[str, dict[str, Any]]]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        # A personal command in a channel: ephemeral, and a copy by DM (an ephemeral message vanishes).
        (lambda slack: ("slash_commands", command("mydata", slack, channel=CHANNEL)), "hold"),
        (lambda slack: ("interactive", button("hearth:resources")), "findahelpline.com"),
        (lambda slack: ("interactive", checkin_submission("3", "tired but okay")), "okay (3/5)"),
    ],
    ids=["slash command", "button", "check-in"],
)
async def test_sigterm_while_slack_holds_an_answer_back_still_delivers_it(hearth, slack, payload, expected):
    slack.rate_limit("chat.postMessage")
    serving = await served(hearth, slack)

    await slack.send_envelope(*payload(slack))
    await slack.wait_for(lambda: slack.refused)  # the core has answered; the answer waits out the rate limit
    serving.sigterm()
    took = await serving.stopped()

    posted = slack.called("chat.postMessage")
    assert posted and expected in text_of(posted[-1]), "delivered before the adapter stopped"
    assert text_of(posted[-1]) == text_of(slack.refused[0].args), "the answer Slack held back, not another"
    assert took < GRACE
