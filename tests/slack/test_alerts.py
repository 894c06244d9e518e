"""Champions' alerts through the real Bolt app: what the champions get, and what the person is told when it fails."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.slack_server import FakeSlack
from tests.slack.conftest import ALICE, ALICE_DM, CHANNEL, button, command, dm, mention
from tests.slack.helpers import action_ids, text_of

CHAMPS = "C0CHAMPS"
IMMINENT = "i have the pills ready to end it tonight"
NOT_THROUGH = "didn't get through"


async def set_champions(http, slack: FakeSlack) -> None:
    slack.admins.add(ALICE)
    await http.command(command(f"config moderators <#{CHAMPS}|champions>", slack))
    await slack.wait_for(lambda: slack.responses)
    slack.responses.clear()


def posts_in(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [call for call in slack.called("chat.postMessage") if call["channel"] == channel]


def told_not_to_wait(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [call for call in posts_in(slack, channel) if NOT_THROUGH in text_of(call)]


async def test_a_person_in_a_dm_is_told_when_the_alert_did_not_get_through(http, slack, hearth):
    await set_champions(http, slack)
    slack.failing_in[CHAMPS] = "not_in_channel"

    await http.event(dm(IMMINENT))

    told = await slack.wait_for(lambda: told_not_to_wait(slack, ALICE_DM))
    assert "don't wait for them" in text_of(told[0])
    assert len(posts_in(slack, CHAMPS)) == 1  # it was tried, and Slack said no
    crisis = posts_in(slack, ALICE_DM)[0]
    assert "moderators know" in text_of(crisis) and NOT_THROUGH not in text_of(crisis)


async def test_a_person_in_a_channel_is_told_privately_when_the_alert_did_not_get_through(http, slack, hearth):
    await set_champions(http, slack)
    slack.failing_in[CHAMPS] = "not_in_channel"

    await http.event(mention(IMMINENT))

    await slack.wait_for(
        lambda: (
            any(NOT_THROUGH in text_of(call) for call in slack.called("chat.postEphemeral"))
            and told_not_to_wait(slack, ALICE_DM)
        )
    )
    await slack.settle()
    ephemeral = [call for call in slack.called("chat.postEphemeral") if NOT_THROUGH in text_of(call)]
    assert ephemeral[0]["user"] == ALICE and ephemeral[0]["channel"] == CHANNEL
    assert all(NOT_THROUGH not in text_of(call) for call in posts_in(slack, CHANNEL))


async def test_talk_to_a_person_tells_the_person_when_the_alert_did_not_get_through(http, slack, hearth):
    await set_champions(http, slack)
    await http.event(dm("I want to kill myself"))
    await slack.wait_for(lambda: posts_in(slack, ALICE_DM))
    await slack.settle()
    slack.failing_in[CHAMPS] = "not_in_channel"

    await http.interaction(button("hearth:handoff"))

    told = await slack.wait_for(lambda: told_not_to_wait(slack, ALICE_DM))
    assert "don't wait for them" in text_of(told[0])


async def test_when_the_alert_gets_through_the_person_is_not_told_otherwise(http, slack, hearth):
    await set_champions(http, slack)

    await http.event(dm(IMMINENT))

    await slack.wait_for(lambda: posts_in(slack, CHAMPS))
    await slack.settle()
    assert told_not_to_wait(slack, ALICE_DM) == []


async def test_through_the_slash_command_the_person_is_told_where_the_reply_went(http, slack, hearth):
    await set_champions(http, slack)
    slack.failing_in[CHAMPS] = "not_in_channel"

    await http.command(command(IMMINENT, slack))

    await slack.wait_for(lambda: any(NOT_THROUGH in text_of(answer) for answer in slack.responses))
    await slack.wait_for(lambda: told_not_to_wait(slack, ALICE_DM))
    told = [answer for answer in slack.responses if NOT_THROUGH in text_of(answer)]
    assert told[0]["response_type"] == "ephemeral"
    assert all(NOT_THROUGH not in text_of(call) for call in posts_in(slack, CHANNEL))


def champions_alert(slack: FakeSlack) -> str:
    return str(posts_in(slack, CHAMPS)[0]["text"])


def ephemeral_button(action_id: str, thread_ts: str | None, value: str = "x") -> dict[str, Any]:
    """A button on Hearth's ephemeral reply in a thread: Slack sends no `message` for an ephemeral one, and
    `container.thread_ts` is not in Slack's documentation (None: a container without it)."""
    payload = button(action_id, channel=CHANNEL)
    del payload["message"]
    payload["container"]["is_ephemeral"] = True
    if thread_ts:
        payload["container"]["thread_ts"] = thread_ts
    payload["actions"][0]["value"] = value
    return payload


def button_value(call: dict[str, Any], action_id: str) -> str:
    """The value Hearth gave one of the buttons of a message it sent, which Slack sends back when it is pressed."""
    elements = [element for block in call["blocks"] if block["type"] == "actions" for element in block["elements"]]
    return str(next(element["value"] for element in elements if element["action_id"] == action_id))


@pytest.mark.parametrize("action_id", ["hearth:resources", "hearth:handoff"])
async def test_a_button_on_an_ephemeral_reply_answers_in_the_thread_even_without_the_containers_thread(
    http, slack, hearth, action_id
):
    await set_champions(http, slack)
    body = mention("I want to kill myself")
    await http.event(body)
    first = (await slack.wait_for(lambda: slack.called("chat.postEphemeral")))[0]
    await slack.settle()

    await http.interaction(ephemeral_button(action_id, None, button_value(first, action_id)))

    answer = (await slack.wait_for(lambda: slack.called("chat.postEphemeral")[1:]))[0]
    assert answer["channel"] == CHANNEL and answer["user"] == ALICE
    assert answer["thread_ts"] == body["event"]["ts"]
    if action_id == "hearth:handoff":  # and the champions' link opens that thread
        await slack.wait_for(lambda: posts_in(slack, CHAMPS))
        assert f"archives/{CHANNEL}/p{body['event']['ts'].replace('.', '')}|" in champions_alert(slack)


async def test_talk_to_a_person_from_a_thread_gives_the_champions_a_link_to_the_thread(http, slack, hearth):
    await set_champions(http, slack)
    body = mention("I want to kill myself")
    await http.event(body)
    await slack.wait_for(lambda: slack.called("chat.postEphemeral"))
    await slack.settle()

    await http.interaction(ephemeral_button("hearth:handoff", body["event"]["ts"]))

    await slack.wait_for(lambda: posts_in(slack, CHAMPS))
    link = f"https://hearth-test.slack.com/archives/{CHANNEL}/p{body['event']['ts'].replace('.', '')}"
    assert f"<{link}|open in Slack>" in champions_alert(slack)
    assert "not available" not in champions_alert(slack) and "kill" not in champions_alert(slack)


async def test_an_imminent_mention_gives_the_champions_a_link_to_the_message(http, slack, hearth):
    await set_champions(http, slack)
    body = mention(IMMINENT)

    await http.event(body)

    await slack.wait_for(lambda: posts_in(slack, CHAMPS))
    link = f"https://hearth-test.slack.com/archives/{CHANNEL}/p{body['event']['ts'].replace('.', '')}"
    assert f"<{link}|open in Slack>" in champions_alert(slack) and "pills" not in champions_alert(slack)


async def test_from_a_dm_with_hearth_the_champions_are_told_who_to_reach_not_given_a_link_they_cannot_open(
    http, slack, hearth
):
    await set_champions(http, slack)
    await http.event(dm("I want to kill myself"))
    await slack.wait_for(lambda: posts_in(slack, ALICE_DM))
    await slack.settle()

    await http.interaction(button("hearth:handoff"))

    await slack.wait_for(lambda: posts_in(slack, CHAMPS))
    alert = champions_alert(slack)
    assert f"<@{ALICE}>" in alert and "direct message with Hearth" in alert
    assert "archives" not in alert and "not available" not in alert and "kill" not in alert
    # What the person reads must be true here too: no link was sent, only who to reach.
    told = await slack.wait_for(lambda: [c for c in posts_in(slack, ALICE_DM) if "asked this community" in text_of(c)])
    assert "how to find you" in text_of(told[0]) and "link" not in text_of(told[0])


async def test_an_imminent_dm_tells_the_champions_who_to_reach(http, slack, hearth):
    await set_champions(http, slack)

    await http.event(dm(IMMINENT))

    await slack.wait_for(lambda: posts_in(slack, CHAMPS))
    alert = champions_alert(slack)
    assert f"<@{ALICE}>" in alert and f"archives/{ALICE_DM}" not in alert and "pills" not in alert


async def test_an_imminent_slash_command_tells_the_champions_who_to_reach(http, slack, hearth):
    await set_champions(http, slack)

    await http.command(command(IMMINENT, slack))

    await slack.wait_for(lambda: posts_in(slack, CHAMPS))
    alert = champions_alert(slack)
    assert f"<@{ALICE}>" in alert and "no link champions can open" in alert and "pills" not in alert


async def in_crisis_with_champions(http, slack: FakeSlack) -> None:
    """Champions set up, and Alice's crisis DM answered."""
    await set_champions(http, slack)
    await http.event(dm("I want to kill myself"))
    await slack.wait_for(lambda: posts_in(slack, ALICE_DM))
    await slack.settle()


async def test_after_a_crisis_the_next_reply_has_talk_to_a_person_beside_the_crisis_lines(http, slack, hearth):
    await in_crisis_with_champions(http, slack)

    await http.event(dm("thanks, it helps to say it"))

    def with_buttons() -> list[dict[str, Any]]:
        return [call for call in slack.called("chat.update") if "a lot to carry." in text_of(call) and action_ids(call)]

    reply = (await slack.wait_for(with_buttons))[-1]
    assert action_ids(reply) == ["hearth:handoff", "hearth:resources"]


async def test_talk_to_a_person_pressed_twice_alerts_the_champions_once_and_tells_the_person(http, slack, hearth):
    await in_crisis_with_champions(http, slack)

    await http.interaction(button("hearth:handoff"))
    await slack.wait_for(lambda: posts_in(slack, CHAMPS))
    await slack.settle()
    await http.interaction(button("hearth:handoff"))

    told = await slack.wait_for(lambda: [c for c in posts_in(slack, ALICE_DM) if "already let" in text_of(c)])
    await slack.settle()
    assert len(posts_in(slack, CHAMPS)) == 1
    assert "moderators know just now" in text_of(told[0]) and "findahelpline.com" in text_of(told[0])
    assert action_ids(told[0]) == ["hearth:handoff_share", "hearth:resources"]


async def test_after_an_alert_that_did_not_get_through_the_next_press_tries_again(http, slack, hearth):
    await in_crisis_with_champions(http, slack)
    slack.failing_in[CHAMPS] = "not_in_channel"
    await http.interaction(button("hearth:handoff"))
    await slack.wait_for(lambda: told_not_to_wait(slack, ALICE_DM))
    await slack.settle()

    del slack.failing_in[CHAMPS]  # an admin invited Hearth to the champions' channel
    await http.interaction(button("hearth:handoff"))

    await slack.wait_for(lambda: len(posts_in(slack, CHAMPS)) == 2)
    await slack.settle()
    assert all("already let" not in text_of(call) for call in posts_in(slack, ALICE_DM))
