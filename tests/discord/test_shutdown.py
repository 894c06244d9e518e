"""SIGTERM while Hearth is answering on Discord, with the adapter run by `bot.shutdown.serve` as `python -m bot
discord` runs it: the answer in flight reaches the person whole before the adapter stops, even when Discord
holds its last send back with a rate limit for a second."""

from __future__ import annotations

import logging

import pytest

from tests.discord.people import ALICE
from tests.discord.test_interactions import SlowCore, callback_of
from tests.fakes.discord_server import APP_ID
from tests.fakes.openai_server import Script
from tests.helpers import Serving

GRACE = 10.0
SAID = "I had a rough day"
# Over Discord's 2,000 characters: the reply goes out as two messages, the second only after the core is done.
LONG_REPLY = " ".join(f"Sentence {n} of a long and careful reply, written slowly." for n in range(1, 61))
LAST_SENTENCE = "Sentence 60 of a long and careful reply, written slowly."


async def test_sigterm_while_a_long_reply_is_written_still_delivers_all_of_it(
    start_bot, discord_server, fake_llm, caplog
):
    caplog.set_level(logging.INFO, logger="bot.shutdown")
    fake_llm.push(Script(text=LONG_REPLY, delay=1.0))
    discord_server.rate_limit(lambda call: call.method == "POST" and call.content.endswith(LAST_SENTENCE))
    bot = await start_bot()
    serving = Serving(bot.task, bot.app.pipeline, GRACE)
    dm = discord_server.dm_channel(ALICE)
    start = len(discord_server.calls)

    await discord_server.send_message(SAID, author=ALICE, guild=False)
    await fake_llm.wait_for_requests(1)  # the reply is being written
    serving.sigterm()
    took = await serving.stopped()

    shown = [call for call in discord_server.calls[start:] if call.path.startswith(f"/channels/{dm}/messages")]
    edited, posted = shown[-2:]
    assert LONG_REPLY in f"{edited.content} {posted.content}", "the whole reply, before the adapter stopped"
    # The streamed message is edited to show the reply's first part; the rest follows it as a second message.
    assert (edited.method, posted.method) == ("PATCH", "POST")
    assert discord_server.refused, "Discord held the second part back for a second"
    assert bot.task.done() and took < GRACE
    assert "stopping on SIGTERM: nothing was left in flight" in caplog.text
    assert SAID not in caplog.text


@pytest.mark.parametrize(
    "pressed", [{"command": "about"}, {"custom_id": "hearth:resources"}], ids=["slash command", "button"]
)
async def test_sigterm_while_hearth_is_thinking_still_sends_the_follow_up(start_bot, discord_server, caplog, pressed):
    caplog.set_level(logging.INFO, logger="bot.shutdown")
    core = SlowCore()
    discord_server.rate_limit(lambda call: call.path.startswith(f"/webhooks/{APP_ID}/"))
    bot = await start_bot(stages=[core], discord_defer_after=0.05)
    serving = Serving(bot.task, bot.app.pipeline, GRACE)

    interaction = await discord_server.interact(user=ALICE, **pressed)
    deferred = await callback_of(discord_server, interaction)  # "Hearth is thinking…"
    serving.sigterm()
    core.release.set()
    took = await serving.stopped()

    follow_ups = discord_server.calls_to("POST", f"/webhooks/{APP_ID}/{interaction['token']}")
    assert [call.content for call in follow_ups] == ["Thank you for waiting."], "sent before the adapter stopped"
    assert deferred.body["type"] == 5
    assert discord_server.refused, "Discord held the follow-up back for a second"
    assert bot.task.done() and took < GRACE
    assert "stopping on SIGTERM: nothing was left in flight" in caplog.text
