"""On Slack, a person in crisis who writes in Dutch, Polish or Spanish reads the crisis text in that language on
every route, including the last one: when neither an ephemeral message nor a DM reaches them, the neutral line
and the crisis lines left in the thread are in their language too (signed requests to the real Bolt app)."""

from __future__ import annotations

from tests.slack.conftest import ALICE, CHANNEL, command, dm, mention, without_redis
from tests.slack.helpers import text_of

ENGLISH = ("You don't have to go through this alone", "Hearth has sent", "call ", "Talk to a person", "I'm Hearth")


def no_private_route(slack):
    slack.failing["chat.postEphemeral"] = "user_not_in_channel"
    slack.failing["conversations.open"] = "cannot_dm_bot"


def labels(call) -> list[str]:
    return [
        element["text"]["text"]
        for block in call.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def in_country(http, slack, code):
    slack.admins.add(ALICE)
    await http.command(command(f"config country {code}", slack))
    await slack.wait_for(lambda: slack.responses)


async def test_a_dutch_crisis_is_answered_privately_in_dutch_with_dutch_buttons(http, slack, fake_llm):
    await in_country(http, slack, "NL")

    await http.event(mention("ik wil dood, ik kan niet meer"))
    (private,) = await slack.wait_for(lambda: slack.called("chat.postEphemeral"))

    assert text_of(private).startswith("Ik ben echt blij") and "bel 113 / 0800-0113" in text_of(private)
    assert labels(private) == ["Praat met een mens", "Toon hulplijnen"]
    assert not any(english in text_of(private) for english in ENGLISH)
    assert fake_llm.requests == []


async def test_when_no_private_route_works_the_lines_left_in_the_thread_are_in_polish(http, slack):
    await in_country(http, slack, "NL")
    no_private_route(slack)

    await http.event(mention("nie chcę już żyć, chcę się zabić"))
    posted = await slack.wait_for(lambda: [c for c in slack.called("chat.postMessage") if c["channel"] == CHANNEL])

    shown = text_of(posted[0])
    assert shown.startswith("Hearth wysłał prywatną wiadomość")
    assert "Nie musisz przechodzić przez to w pojedynkę" in shown and "zadzwoń pod 113" in shown
    assert not any(english in shown for english in ENGLISH), shown
    assert "zabić" not in shown, "never their words"


async def test_with_redis_down_the_lines_left_in_the_thread_still_follow_the_reply_in_spanish(
    slack, fake_llm, settings_overrides, tmp_path
):
    # No conversation note can be read or kept: the language rides on the core's reply itself.
    no_private_route(slack)
    async with without_redis(slack, fake_llm, settings_overrides, tmp_path) as (http, _app):
        await http.event(mention("esta noche me mato, ya no puedo más"))
        posted = await slack.wait_for(lambda: slack.called("chat.postMessage"))

    shown = text_of(posted[0])
    assert posted[0]["channel"] == CHANNEL
    assert shown.startswith("Hearth ha enviado un mensaje privado")
    assert "No tienes que pasar por esto a solas" in shown and "número de emergencias de tu país" in shown
    assert not any(english in shown for english in ENGLISH), shown


async def test_after_a_spanish_no_to_the_direct_question_the_lines_button_stays_in_spanish(http, slack, fake_llm):
    # The LLM answers the "no" (in whatever language it writes); the button Hearth adds under it keeps the
    # language the conversation was kept in, not English.
    await http.event(dm("ya no puedo más"))
    (asked,) = await slack.wait_for(lambda: slack.called("chat.postMessage"))
    assert "¿Estás pensando en el suicidio" in text_of(asked)

    await http.event(dm("no"))
    sent = lambda: [c for m in ("chat.postMessage", "chat.update") for c in slack.called(m) if labels(c)]  # noqa: E731
    answered = await slack.wait_for(lambda: sent()[1:])
    assert labels(answered[-1]) == ["Ver líneas de ayuda"]
    assert len(fake_llm.requests) == 1
