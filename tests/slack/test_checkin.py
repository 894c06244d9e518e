"""The mood check-in modal: opened from /hearth checkin or App Home, submitted into the core's check-in tool."""

from __future__ import annotations

import time

from tests.slack.conftest import ALICE, button, checkin_submission, command
from tests.slack.helpers import text_of


async def test_hearth_checkin_opens_the_modal_and_a_submission_is_recorded_by_the_core(http, slack, hearth, fake_llm):
    form = command("checkin", slack)

    await http.command(form)
    opened = (await slack.wait_for(lambda: slack.called("views.open")))[0]
    status, _ = await http.interaction(checkin_submission("3", "tired but okay"))

    assert opened["trigger_id"] == form["trigger_id"]
    assert opened["view"]["callback_id"] == "hearth_checkin"
    assert [o["value"] for o in opened["view"]["blocks"][0]["element"]["options"]] == ["1", "2", "3", "4", "5"]
    assert status == 200
    reply = (await slack.wait_for(lambda: slack.called("chat.postMessage")))[0]
    assert slack.called("conversations.open")[0]["users"] == ALICE
    assert "okay (3/5)" in text_of(reply)
    user = hearth.ids("user", "slack", "T0TEST", ALICE)
    assert [score for score, _, _ in await hearth.context.checkins(user)] == [3]
    assert slack.responses == [] and fake_llm.requests == []


async def test_a_crisis_in_a_check_in_note_gets_the_crisis_reply(http, slack, hearth, fake_llm):
    await http.interaction(checkin_submission("1", "I want to kill myself"))

    reply = (await slack.wait_for(lambda: slack.called("chat.postMessage")))[0]
    assert "findahelpline.com" in text_of(reply)
    assert reply["channel"].startswith("D")
    assert fake_llm.requests == []


async def test_the_app_home_button_opens_the_check_in_in_socket_mode(socket):
    payload = button("hearth:modal:checkin", channel=None, view="home")

    envelope = await socket.send_envelope("interactive", payload)

    await socket.wait_for(lambda: envelope in socket.acks and socket.called("views.open"))
    assert socket.called("views.open")[0]["trigger_id"] == payload["trigger_id"]
    await socket.settle()
    assert socket.called("chat.postMessage") == []


async def test_a_check_in_submitted_over_socket_mode_reaches_the_core(socket, hearth):
    envelope = await socket.send_envelope("interactive", checkin_submission("5"))

    await socket.wait_for(lambda: envelope in socket.acks and socket.called("chat.postMessage"))
    assert "very good (5/5)" in text_of(socket.called("chat.postMessage")[0])


async def test_a_crisis_in_a_check_in_note_is_not_held_up_by_a_slow_users_info(http, slack, hearth, fake_llm):
    slack.stalled.add("users.info")
    hearth.crisis.detector.prepare()  # as `python -m bot` does at start-up: the patterns' compiling is not timed
    started = time.monotonic()

    await http.interaction(checkin_submission("1", "I want to kill myself"))

    reply = (await slack.wait_for(lambda: slack.called("chat.postMessage")))[0]
    answered = time.monotonic() - started
    assert "findahelpline.com" in text_of(reply) and answered < 0.8, f"the crisis reply took {answered:.2f} s"
