"""Messages to Hearth on Discord, as Discord would have seen the bot answer them."""

from __future__ import annotations

from tests.fakes.openai_server import Script

ALICE = 600_000_000_000_000_001
BOB = 600_000_000_000_000_002
LLM_TEXT = "I hear you. That sounds like a heavy day, and it makes sense that you feel worn out by it."


def no_pings(call) -> bool:
    mentions = call.allowed_mentions
    return mentions is not None and mentions.get("parse") == [] and not mentions.get("roles")


async def test_a_dm_is_answered_by_one_message_edited_as_the_reply_streams(start_bot, discord_server, fake_llm):
    fake_llm.push(Script(text=LLM_TEXT, chunk_delay=0.05))
    await start_bot()
    start = len(discord_server.calls)

    await discord_server.send_message("I had a rough day", author=ALICE, guild=False)
    dm = discord_server.dm_channel(ALICE)
    final = await discord_server.wait_for_call(
        lambda call: call.method == "PATCH" and call.content.endswith(LLM_TEXT), start=start
    )

    posted = discord_server.calls_to("POST", f"/channels/{dm}/messages", start)
    assert len(posted) == 1, "one message, then edits"
    assert len(posted[0].content) < len(final.content), "the first partial is shown before the reply is complete"
    assert final.path.startswith(f"/channels/{dm}/messages/")
    assert discord_server.calls_to("POST", f"/channels/{dm}/typing", start), "typing shown while waiting"
    assert all(no_pings(call) for call in [*posted, final])
    assert len(fake_llm.requests) == 1
