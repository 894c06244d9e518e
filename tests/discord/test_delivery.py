"""How replies are cut and placed: 2,000-character messages, buttons under the whole reply, shards."""

from __future__ import annotations

import pytest

from bot.models import ACTION_RESOURCES, Action, Reply
from tests.discord.conftest import Scripted
from tests.discord.people import ALICE, LLM_TEXT


async def test_a_long_reply_is_sent_in_messages_of_at_most_2000_characters_with_buttons_on_the_last(
    start_bot, discord_server
):
    paragraphs = [f"Paragraph {number}: " + "some words of support " * 40 for number in range(8)]
    text = "\n\n".join(paragraphs)
    await start_bot(stages=[Scripted(Reply(text, actions=(Action(ACTION_RESOURCES, "Show crisis lines"),)))])
    dm = discord_server.dm_channel(ALICE)

    await discord_server.send_message("tell me everything", author=ALICE, guild=False)
    await discord_server.wait_for_text(dm, "Paragraph 7")
    sent = discord_server.sent_to(dm)

    assert len(sent) > 1 and all(len(call.content) <= 2000 for call in sent)
    assert " ".join(call.content for call in sent).split() == text.split(), "nothing is lost between chunks"
    assert [call.custom_ids for call in sent] == [[]] * (len(sent) - 1) + [["hearth:resources"]]


@pytest.mark.parametrize("kind", ["duplicate", "folded"])
async def test_a_reply_the_core_gives_without_text_is_dropped_silently(start_bot, discord_server, kind):
    scripted = Scripted(Reply("A real answer."), by_text={"hello": Reply("", kind=kind)})
    await start_bot(stages=[scripted])
    dm = discord_server.dm_channel(ALICE)

    await discord_server.send_message("hello", author=ALICE, guild=False)
    await discord_server.send_message("hello?", author=ALICE, guild=False)
    await discord_server.wait_for_text(dm, "A real answer.")

    assert [call.content for call in discord_server.posts()] == ["A real answer."]
    assert scripted.seen[0].event_id != scripted.seen[1].event_id, "each message carries its id for the core"


async def test_a_process_given_some_shards_identifies_only_those_on_the_configured_gateway(start_bot, discord_server):
    await start_bot(discord_shard_count=3, discord_shard_ids="1")

    assert discord_server.shards == [[1, 3]]
    assert discord_server.calls_to("GET", "/gateway/bot") == [], "DISCORD_GATEWAY_URL is used, not asked for"

    dm = discord_server.dm_channel(ALICE)
    await discord_server.send_message("hello", author=ALICE, guild=False)
    await discord_server.wait_for_text(dm, LLM_TEXT)
