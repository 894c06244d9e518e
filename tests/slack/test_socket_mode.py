"""Socket Mode: Bolt's handler opens the stand-in's websocket, acks each envelope and answers via the Web API."""

from __future__ import annotations

from tests.fakes.openai_server import Script
from tests.slack.conftest import ALICE, ALICE_DM, CHANNEL, button, command, dm, mention
from tests.slack.helpers import core_crisis_text, streamed_to, text_of


async def test_the_connection_is_opened_with_the_app_token(socket):
    assert socket.called("apps.connections.open")


async def test_a_dm_envelope_is_acked_and_gets_a_streamed_reply(socket, fake_llm):
    fake_llm.push(Script(text="I'm here with you. One step at a time.", chunk_delay=0.02))

    envelope = await socket.send_envelope("events_api", dm("it's been hard"))

    await socket.wait_for(lambda: envelope in socket.acks)
    assert "One step at a time" in text_of(await streamed_to(socket, "One step at a time."))
    assert socket.called("chat.postMessage")[0]["channel"] == ALICE_DM


async def test_a_mention_envelope_gets_a_threaded_reply(socket, fake_llm):
    body = mention("hi there")

    await socket.send_envelope("events_api", body)

    await socket.wait_for(lambda: socket.called("chat.update"))
    first = socket.called("chat.postMessage")[0]
    assert (first["channel"], first["thread_ts"]) == (CHANNEL, body["event"]["ts"])


async def test_a_crisis_mention_is_private_and_never_reaches_the_llm(socket, fake_llm, hearth):
    await socket.send_envelope("events_api", mention("I want to die"))

    await socket.wait_for(lambda: socket.called("chat.postEphemeral") and socket.called("chat.postMessage"))
    await socket.settle()
    assert text_of(socket.called("chat.postEphemeral")[0]) == core_crisis_text(hearth, None, "I want to die")
    public = [call for call in socket.called("chat.postMessage") if call["channel"] == CHANNEL]
    crisis_words = ("die", "suicide", "kill")
    assert all(not any(word in call["text"].lower() for word in crisis_words) for call in public)  # neutral at most
    assert fake_llm.requests == []


async def test_the_slash_command_is_acked_before_the_answer_and_answered_ephemerally(socket, fake_llm):
    fake_llm.push(Script(text="Thanks for saying so.", delay=0.5))

    envelope = await socket.send_envelope("slash_commands", command("tough day", socket))

    await socket.wait_for(lambda: envelope in socket.acks)
    assert socket.responses == []
    answer = (await socket.wait_for(lambda: socket.responses))[0]
    assert answer["response_type"] == "ephemeral"
    assert "Thanks for saying so." in text_of(answer)


async def test_a_button_envelope_is_acked_and_reaches_the_core(socket, fake_llm):
    envelope = await socket.send_envelope("interactive", button("hearth:cmd:about"))

    await socket.wait_for(lambda: envelope in socket.acks and socket.called("chat.postMessage"))
    reply = socket.called("chat.postMessage")[0]
    assert reply["channel"] == ALICE_DM
    assert "automated" in text_of(reply)
    assert fake_llm.requests == []


async def test_a_retried_envelope_is_answered_once(socket, fake_llm):
    body = dm("hello again")

    first = await socket.send_envelope("events_api", body)
    await socket.wait_for(lambda: socket.called("chat.postMessage"))
    retry = await socket.send_envelope("events_api", body, retry_attempt=1)
    await socket.wait_for(lambda: first in socket.acks and retry in socket.acks)
    await socket.settle()

    assert len(socket.called("chat.postMessage")) == 1
    assert len(fake_llm.requests) == 1
    assert socket.called("chat.postMessage")[0]["channel"] == ALICE_DM
    assert ALICE not in str(fake_llm.requests)


async def test_hearth_reconnects_when_slack_closes_the_socket_and_keeps_answering(socket):
    await socket.disconnect()
    await socket.wait_for(lambda: socket.connections == 2)

    await socket.send_envelope("events_api", dm("/about"))

    reply = (await socket.wait_for(lambda: socket.called("chat.postMessage")))[0]
    assert "automated" in text_of(reply)
