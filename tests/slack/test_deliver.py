"""Delivery rules with the real slack_sdk client against the stand-in: privacy, fallbacks, champions' alerts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.deliver import Responder
from adapters.slack.translate import Place
from bot.config import default_prompts_dir
from bot.models import ACTION_RESOURCES, Action, Level, ModeratorAlert, Reply
from bot.prompts import Messages, load_prompts
from tests.fakes.slack_server import BOT_TOKEN, TEAM
from tests.slack.conftest import ALICE, CHANNEL
from tests.slack.helpers import action_ids, text_of

LINES = "Samaritans: call 116 123"
THREAD = "1700000000.000100"
ENGLISH = load_prompts(default_prompts_dir())()
CRISIS = Reply("You deserve support right now.\n" + LINES, private=True, kind="crisis", level=Level.URGENT)


@pytest.fixture
async def client(slack) -> AsyncIterator[AsyncWebClient]:
    yield AsyncWebClient(token=BOT_TOKEN, base_url=slack.base_url)


def responder(client, *, dm: bool = False, moderators: str | None = None) -> Responder:
    async def resources(language: str | None) -> str:
        return LINES

    async def champions(tenant: str) -> tuple[str | None, Messages]:
        return moderators, ENGLISH

    place = Place(TEAM, "D0ALICE" if dm else CHANNEL, ALICE, None if dm else THREAD, dm)
    return Responder(client, place, update_interval=0.2, resources_text=resources, champions=champions)


async def test_a_private_reply_goes_ephemeral_and_by_dm_with_only_the_neutral_line_in_public(client, slack):
    reply = Reply(CRISIS.text, private=True, public_notice="I've reached out to you privately.")

    await responder(client).send(reply)

    assert text_of(slack.called("chat.postEphemeral")[0]).endswith("116 123")
    public = [call for call in slack.called("chat.postMessage") if call["channel"] == CHANNEL]
    private = [call for call in slack.called("chat.postMessage") if call["channel"].startswith("D")]
    assert [text_of(call) for call in public] == ["I've reached out to you privately."]
    assert public[0]["thread_ts"] == THREAD
    assert "116 123" in text_of(private[0])


async def test_when_the_ephemeral_fails_the_dm_still_carries_the_lines(client, slack):
    slack.failing["chat.postEphemeral"] = "user_not_in_channel"

    await responder(client).send(CRISIS)

    private = [call for call in slack.called("chat.postMessage") if call["channel"].startswith("D")]
    assert "116 123" in text_of(private[0])
    assert all(call["channel"] != CHANNEL for call in slack.called("chat.postMessage"))


async def test_when_no_private_route_works_the_lines_are_still_given_in_the_thread(client, slack):
    slack.failing["chat.postEphemeral"] = "user_not_in_channel"
    slack.failing["conversations.open"] = "cannot_dm_bot"

    await responder(client).send(Reply("Something personal.\n" + LINES, private=True, public_notice="Please look:"))

    public = [call for call in slack.called("chat.postMessage") if call["channel"] == CHANNEL]
    assert len(public) == 1
    assert text_of(public[0]) == "Please look:\n\n" + LINES
    assert "personal" not in text_of(public[0])


async def test_a_streamed_reply_that_turns_private_is_taken_down(client, slack):
    talk = responder(client)

    await talk.partial("I hear")
    await talk.send(CRISIS)

    deleted = slack.called("chat.delete")
    assert len(deleted) == 1 and deleted[0]["channel"] == CHANNEL and deleted[0]["ts"]
    assert slack.called("chat.postEphemeral")


async def test_edits_are_throttled_to_the_update_interval(client, slack):
    talk = responder(client, dm=True)

    for text in ("I", "I hear", "I hear you", "I hear you."):
        await talk.partial(text)
    await talk.send(Reply("I hear you.", streamed=True))

    assert len(slack.called("chat.postMessage")) == 1
    assert len(slack.called("chat.update")) == 1
    assert text_of(slack.called("chat.update")[0]) == "I hear you."


async def test_champions_get_a_link_and_a_level_never_the_words(client, slack):
    link = "https://hearth-test.slack.com/archives/C0GENERAL/p1700000000000100"
    alert = ModeratorAlert(tenant="t", level=Level.IMMINENT, link=link)
    reply = Reply("Please call 999 now. " + LINES, private=True, level=Level.IMMINENT, alert=alert)

    await responder(client, moderators="C0CHAMPS").send(reply)

    sent = [call for call in slack.called("chat.postMessage") if call["channel"] == "C0CHAMPS"]
    assert len(sent) == 1
    assert f"<{link}|open in Slack>" in sent[0]["text"] and "imminent" in sent[0]["text"]
    assert "999" not in sent[0]["text"] and "116" not in sent[0]["text"]


async def test_no_alert_is_sent_where_no_champions_channel_is_set(client, slack):
    alert = ModeratorAlert(tenant="t", level=Level.IMMINENT, link=None)

    await responder(client, dm=True).send(Reply("x", alert=alert))

    assert [call["channel"] for call in slack.called("chat.postMessage")] == ["D0ALICE"]


async def test_a_duplicate_is_dropped_silently(client, slack):
    await responder(client, dm=True).send(Reply("", kind="duplicate"))

    assert slack.calls == []


async def test_a_button_answer_in_a_channel_is_ephemeral_only(client, slack):
    reply = Reply(LINES, actions=(Action(ACTION_RESOURCES, "Show crisis lines"),))

    await responder(client).send(reply, personal=True)

    assert slack.called("chat.postEphemeral")
    assert slack.called("chat.postMessage") == []


async def test_an_alert_link_into_a_thread_keeps_slacks_link_format(client, slack):
    link = (
        "https://hearth-test.slack.com/archives/C0GENERAL/p1700000000000200?thread_ts=1700000000.000100&cid=C0GENERAL"
    )

    await responder(client, moderators="C0CHAMPS").send(Reply("x", alert=ModeratorAlert("t", Level.IMMINENT, link)))

    sent = [call for call in slack.called("chat.postMessage") if call["channel"] == "C0CHAMPS"][0]
    assert f"<{link.replace('&', '&amp;')}|open in Slack>" in sent["text"]


async def test_when_the_champions_channel_cannot_be_looked_up_the_person_is_told_not_to_wait(client, slack):
    alert = ModeratorAlert("t", Level.IMMINENT, None, undelivered="It didn't get through; call 999 now.")

    await responder(client, dm=True, moderators=None).send(Reply("Please call 999 now.", alert=alert))

    sent = [text_of(call) for call in slack.called("chat.postMessage")]
    assert sent == ["Please call 999 now.", "It didn't get through; call 999 now."]


async def test_a_reply_too_long_for_slack_is_shortened_in_the_middle_keeping_both_ends(client, slack):
    middle = "\n\n".join(["A long paragraph of words. " * 100] * 70)
    reply = Reply(f"Please call 999 now.\n\n{middle}\n\n{LINES}", actions=(Action(ACTION_RESOURCES, "Lines"),))

    await responder(client, dm=True).send(reply)  # Slack refuses more than 50 blocks: this one must be taken

    sent = slack.called("chat.postMessage")[0]
    assert len(sent["blocks"]) == 50 and action_ids(sent) == ["hearth:resources"]
    shown = text_of(sent)
    assert shown.startswith("Please call 999 now.") and shown.endswith(LINES) and "left out" in shown
