"""Messages to Hearth on Discord, as Discord would have seen the bot answer them."""

from __future__ import annotations

import pytest

from tests.discord.people import ALICE, BOB, LLM_TEXT, LONG_TEXT, no_pings
from tests.fakes.discord_server import BOT_ID
from tests.fakes.openai_server import Script


async def test_a_dm_is_answered_by_one_message_edited_as_the_reply_streams(start_bot, discord_server, fake_llm):
    fake_llm.push(Script(text=LONG_TEXT, chunk_delay=0.05))
    await start_bot()
    start = len(discord_server.calls)

    await discord_server.send_message("I had a rough day", author=ALICE, guild=False)
    dm = discord_server.dm_channel(ALICE)
    final = await discord_server.wait_for_call(
        lambda call: call.method == "PATCH" and call.content.endswith(LONG_TEXT), start=start
    )

    posted = discord_server.sent_to(dm, start)
    assert len(posted) == 1, "one message, then edits"
    assert len(posted[0].content) < len(final.content), "the first partial is shown before the reply is complete"
    assert final.path.startswith(f"/channels/{dm}/messages/")
    assert discord_server.calls_to("POST", f"/channels/{dm}/typing", start), "typing shown while waiting"
    assert all(no_pings(call) for call in [*posted, final])
    assert len(fake_llm.requests) == 1


async def test_a_streamed_reply_with_no_sentence_end_is_posted_whole_at_the_end(start_bot, discord_server, fake_llm):
    # Only finished sentences stream; a reply that is one sentence with no full stop shows once, complete.
    said = "it sounds like the week has worn you down and you are carrying more than anyone can see from outside"
    fake_llm.push(Script(text=said, chunk_delay=0.03))
    await start_bot()
    start = len(discord_server.calls)

    await discord_server.send_message("I had a rough week", author=ALICE, guild=False)
    dm = discord_server.dm_channel(ALICE)
    await discord_server.wait_for_text(dm, said, start)

    posted = discord_server.sent_to(dm, start)
    assert len(posted) == 1 and posted[0].content.endswith(said)
    assert all(said[:20] not in call.content for call in discord_server.calls[start:] if call.method == "PATCH")


async def test_a_mention_in_a_server_is_answered_in_a_thread_opened_from_the_message(start_bot, discord_server):
    await start_bot()
    start = len(discord_server.calls)

    sent = await discord_server.send_message(f"<@{BOT_ID}> can we talk?", author=ALICE, mentions=(BOT_ID,))
    thread = int(sent["id"])  # a thread opened from a message takes the message's id
    reply = await discord_server.wait_for_text(thread, LLM_TEXT, start)

    opened = discord_server.calls_to("POST", f"/channels/{discord_server.channel_id}/messages/{thread}/threads", start)
    assert len(opened) == 1
    assert "can we talk" not in opened[0].body["name"], "a thread name never repeats the user's words"
    assert no_pings(reply)
    assert discord_server.sent_to(discord_server.channel_id, start) == []


async def test_a_follow_up_in_hearths_thread_is_answered_there_without_a_mention(start_bot, discord_server):
    await start_bot()
    sent = await discord_server.send_message(f"<@{BOT_ID}> hi", author=ALICE, mentions=(BOT_ID,))
    thread = int(sent["id"])
    await discord_server.wait_for_text(thread, LLM_TEXT)
    start = len(discord_server.calls)

    await discord_server.send_message("still there?", author=ALICE, channel_id=thread)
    await discord_server.wait_for_text(thread, LLM_TEXT, start)

    assert not discord_server.calls_to("POST", "/threads", start), "no thread inside a thread"


async def test_bots_and_messages_not_addressed_to_hearth_are_ignored(start_bot, discord_server, fake_llm):
    await start_bot()
    start = len(discord_server.calls)

    await discord_server.send_message("just chatting with friends", author=ALICE)
    await discord_server.send_message(f"<@{BOT_ID}> beep", author=BOB, mentions=(BOT_ID,), bot=True)
    await discord_server.send_message("an echo of myself", author=BOT_ID, guild=False)
    # A DM sent after them is answered; by then the ignored ones have long been handled.
    await discord_server.send_message("hello", author=ALICE, guild=False)
    dm = discord_server.dm_channel(ALICE)
    await discord_server.wait_for_text(dm, LLM_TEXT, start)

    posted = [call for call in discord_server.posts(start) if call.path != f"/channels/{dm}/messages"]
    assert posted == []
    assert not discord_server.calls_to("POST", "/threads", start)
    assert len(fake_llm.requests) == 1


async def test_a_message_delivered_again_later_is_not_answered_again(start_bot, discord_server, fake_llm):
    await start_bot()
    dm = discord_server.dm_channel(ALICE)
    first = discord_server.message("hello", author=ALICE, guild=False)

    await discord_server.dispatch("MESSAGE_CREATE", first)
    await discord_server.wait_for_text(dm, LLM_TEXT)
    start = len(discord_server.calls)
    await discord_server.dispatch("MESSAGE_CREATE", first)  # e.g. replayed after a resume
    await discord_server.send_message("and another thing", author=ALICE, guild=False)
    await discord_server.wait_for_text(dm, LLM_TEXT, start)

    assert len(discord_server.sent_to(dm, start)) == 1, "only the new message is answered"
    assert len(fake_llm.requests) == 2
    said = [m["content"] for m in fake_llm.requests[-1]["messages"] if m["role"] == "user"]
    assert sum("hello" in text for text in said) == 1, "the replayed message is not taken in a second time"


@pytest.mark.parametrize("interruption", ["request_reconnect", "drop_connection"])
async def test_hearth_resumes_and_keeps_answering_after_the_gateway_connection_is_interrupted(
    start_bot, discord_server, interruption
):
    await start_bot()
    dm = discord_server.dm_channel(ALICE)

    await getattr(discord_server, interruption)()  # op 7 RECONNECT, or the socket closed without warning
    await discord_server.wait_until(lambda: discord_server.resumes == 1)
    start = len(discord_server.calls)
    await discord_server.send_message("are you still there?", author=ALICE, guild=False)
    await discord_server.wait_for_text(dm, LLM_TEXT, start)

    assert discord_server.identifies == 1, "the session was resumed, not started again"


async def test_without_permission_to_open_threads_hearth_answers_in_the_channel(start_bot, discord_server):
    await start_bot()
    discord_server.threads_allowed = False

    await discord_server.send_message(f"<@{BOT_ID}> hello", author=ALICE, mentions=(BOT_ID,))
    reply = await discord_server.wait_for_text(discord_server.channel_id, LLM_TEXT)

    assert no_pings(reply)


async def test_two_people_in_one_thread_never_share_context(start_bot, discord_server, fake_llm):
    await start_bot()
    sent = await discord_server.send_message(f"<@{BOT_ID}> my sister is ill", author=ALICE, mentions=(BOT_ID,))
    thread = int(sent["id"])
    await discord_server.wait_for_text(thread, LLM_TEXT)
    start = len(discord_server.calls)

    await discord_server.send_message("exams are stressing me out", author=BOB, channel_id=thread)
    await discord_server.wait_for_text(thread, LLM_TEXT, start)

    bobs = " ".join(m["content"] for m in fake_llm.requests[-1]["messages"] if m["role"] != "system")
    assert "exams" in bobs and "sister" not in bobs


async def test_a_mention_of_hearths_own_role_is_answered_like_a_mention_of_hearth(start_bot, discord_server, fake_llm):
    await start_bot()
    role = discord_server.bot_role_id

    sent = await discord_server.send_message(f"<@&{role}> can we talk?", author=ALICE, role_mentions=(role,))
    await discord_server.wait_for_text(int(sent["id"]), LLM_TEXT)

    said = [m["content"] for m in fake_llm.requests[-1]["messages"] if m["role"] == "user"]
    assert "can we talk?" in said[-1] and "<@&" not in said[-1], "the role mention is not passed on as words"


async def test_a_mention_of_another_role_is_not_a_mention_of_hearth(start_bot, discord_server, fake_llm):
    await start_bot()
    role = discord_server.moderator_role_id

    await discord_server.send_message(f"<@&{role}> anyone around?", author=ALICE, role_mentions=(role,))
    await discord_server.send_message("hello", author=ALICE, guild=False)
    await discord_server.wait_for_text(discord_server.dm_channel(ALICE), LLM_TEXT)

    assert len(fake_llm.requests) == 1
