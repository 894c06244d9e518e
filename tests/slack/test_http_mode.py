"""HTTP mode: Slack posts signed requests to /slack/events; Bolt verifies them and Hearth answers via the Web API."""

from __future__ import annotations

from tests.fakes.openai_server import Script
from tests.slack.conftest import ALICE_DM, dm


def text_of(call: dict) -> str:
    return "\n".join(block["text"]["text"] for block in call.get("blocks", []) if block["type"] == "section")


async def test_a_dm_gets_a_streamed_reply(http, slack, fake_llm):
    fake_llm.push(Script(text="I hear you, that sounds like a heavy week to carry.", chunk_delay=0.02))

    status, _ = await http.event(dm("I've had a rough week"))

    assert status == 200
    await slack.wait_for(lambda: slack.called("chat.update"))
    first = slack.called("chat.postMessage")[0]
    final = slack.called("chat.update")[-1]
    assert first["channel"] == ALICE_DM
    assert final["ts"] and final["channel"] == ALICE_DM
    assert "heavy week to carry" in text_of(final)
    assert text_of(final).startswith(text_of(first)[:10])
    assert len(slack.called("chat.postMessage")) == 1
    assert len(fake_llm.requests) == 1
