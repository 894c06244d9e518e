"""A person's Slack language (users.info's `locale`) chooses the check-in modal's and App Home's language, which
are shown before any words say it, and is the core's last resort for the language of a reply on Slack as on
Discord. A locale Hearth has no texts in, or a users.info that fails or hangs, gives English, and the modal still
opens (signed requests to the real Bolt app; the stand-in answers users.info's `locale`)."""

from __future__ import annotations

import asyncio
import time

import pytest

from adapters.slack.app import web_client
from adapters.slack.locales import SlackLocales
from tests.slack.conftest import ALICE, ALICE_DM, BOB, button, command, dm, event_body
from tests.slack.helpers import text_of

SPANISH_MODAL = {
    "title": "Registro de ánimo",
    "submit": "Registrar",
    "close": "Cancelar",
    "question": "¿Cómo te sientes ahora mismo?",
    "note": "Una nota, si quieres",
    "options": ["1 · muy mal", "2 · mal", "3 · regular", "4 · bien", "5 · muy bien"],
}
ENGLISH_MODAL = {
    "title": "Mood check-in",
    "submit": "Check in",
    "close": "Cancel",
    "question": "How are you feeling right now?",
    "note": "A note, if you like",
    "options": ["1 · very low", "2 · low", "3 · okay", "4 · good", "5 · very good"],
}


def shown_modal(view) -> dict:
    mood, note, kept = view["blocks"]
    return {
        "title": view["title"]["text"],
        "submit": view["submit"]["text"],
        "close": view["close"]["text"],
        "question": mood["label"]["text"],
        "note": note["label"]["text"],
        "options": [option["text"]["text"] for option in mood["element"]["options"]],
        "kept": kept["elements"][0]["text"],
    }


def home_shown(view) -> tuple[list[str], list[str], str]:
    headers = [block["text"]["text"] for block in view["blocks"] if block["type"] == "header"]
    labels = [element["text"]["text"] for block in view["blocks"] if block["type"] == "actions"
              for element in block["elements"]]  # fmt: skip
    return headers, labels, text_of(view)


def home_opened(user: str = ALICE) -> dict:
    return event_body({"type": "app_home_opened", "user": user, "channel": ALICE_DM, "tab": "home", "event_ts": "1.2"})


async def opened_checkin(http, slack, user: str = ALICE) -> dict:
    await http.command(command("checkin", slack, user=user))
    (opened,) = await slack.wait_for(lambda: slack.called("views.open"))
    return shown_modal(opened["view"])


async def test_a_person_whose_slack_is_in_spanish_gets_the_spanish_check_in(http, slack):
    slack.locales[ALICE] = "es-ES"

    modal = await opened_checkin(http, slack)

    assert {key: value for key, value in modal.items() if key != "kept"} == SPANISH_MODAL
    assert modal["kept"].startswith("Los registros de ánimo son opcionales y se guardan 14 días")
    assert "/hearth forget los borra" in modal["kept"]
    assert slack.called("users.info") == [{"user": ALICE, "include_locale": "1"}]


async def test_a_person_whose_slack_is_in_spanish_gets_the_spanish_app_home(http, slack, hearth):
    slack.locales[ALICE] = "es-419"

    await http.event(home_opened())
    (published,) = await slack.wait_for(lambda: slack.called("views.publish"))

    headers, labels, text = home_shown(published["view"])
    assert headers == ["Hearth", "Líneas de crisis", "Herramientas"]
    assert labels == [
        "Ver líneas de ayuda", "Registro de ánimo", "Respirar un minuto", "Anclaje, 5-4-3-2-1",
        "¿Qué guardas sobre mí?", "Borra lo que guardas sobre mí", "Todo lo que Hearth puede hacer",
    ]  # fmt: skip
    assert text.startswith("Soy Hearth, un bot automático") and "I'm Hearth" not in text
    assert "Escríbeme en la pestaña Mensajes, mencióname en un canal o usa /hearth." in text
    assert "findahelpline.com" in text and "Crisis lines" not in text
    # Its buttons still say to the core what they said in English.
    ids = [element["action_id"] for block in published["view"]["blocks"] if block["type"] == "actions"
           for element in block["elements"]]  # fmt: skip
    assert ids[:2] == ["hearth:resources", "hearth:modal:checkin"] and ids[-1] == "hearth:cmd:help"


async def test_app_home_names_the_country_in_german(http, slack):
    slack.locales[ALICE] = "de-DE"
    slack.admins.add(ALICE)
    await http.command(command("config country DE", slack))
    await slack.wait_for(lambda: slack.responses)

    await http.event(home_opened())
    (published,) = await slack.wait_for(lambda: slack.called("views.publish"))

    headers, labels, text = home_shown(published["view"])
    assert headers == ["Hearth", "Krisenlinien (DE)", "Werkzeuge"]
    assert labels[0] == "Krisenlinien zeigen" and text.startswith("Ich bin Hearth")


async def test_a_locale_hearth_has_no_texts_in_gets_english(http, slack):
    slack.locales[ALICE] = "ja-JP"

    modal = await opened_checkin(http, slack)
    await http.event(home_opened())
    (published,) = await slack.wait_for(lambda: slack.called("views.publish"))

    assert {key: value for key, value in modal.items() if key != "kept"} == ENGLISH_MODAL
    assert modal["kept"] == (
        "Check-ins are opt-in and kept for 14 days so you can see how things change. "
        "The answer comes by DM. /hearth forget erases them."
    )
    headers, labels, text = home_shown(published["view"])
    assert headers == ["Hearth", "Crisis lines", "Tools"] and text.startswith("I'm Hearth")
    assert labels[:2] == ["Show crisis lines", "Mood check-in"]


async def test_when_users_info_fails_the_modal_still_opens_in_english_and_messages_are_answered(http, slack):
    slack.failing["users.info"] = "missing_scope"  # an install without users:read

    modal = await opened_checkin(http, slack)
    await http.event(home_opened())
    await http.event(dm("", subtype="file_share"))
    (published,) = await slack.wait_for(lambda: slack.called("views.publish"))
    (reply,) = await slack.wait_for(lambda: slack.called("chat.postMessage"))

    assert {key: value for key, value in modal.items() if key != "kept"} == ENGLISH_MODAL
    assert home_shown(published["view"])[0] == ["Hearth", "Crisis lines", "Tools"]
    assert text_of(reply).startswith("I didn't catch any words in that")
    # A failure is not asked again at every turn: one call for the modal, App Home and the message.
    assert len(slack.called("users.info")) == 1


async def test_when_users_info_hangs_the_modal_still_opens_in_english(http, slack):
    slack.stalled.add("users.info")

    modal = await opened_checkin(http, slack)

    assert modal["title"] == "Mood check-in" and modal["options"][0] == "1 · very low"


async def test_the_slack_language_is_the_cores_last_resort_for_messages_commands_and_buttons(http, slack):
    slack.locales[ALICE] = "es-ES"

    await http.event(dm("", subtype="file_share"))  # a photo, no words: nothing says the language
    (reply,) = await slack.wait_for(lambda: slack.called("chat.postMessage"))
    await http.command(command("help", slack))  # nor does a bare command
    (answered,) = await slack.wait_for(lambda: slack.responses)
    await http.interaction(button("hearth:cmd:mydata", channel=None, view="home"))
    pressed = await slack.wait_for(lambda: slack.called("chat.postMessage")[1:])

    assert text_of(reply).startswith("No he visto ninguna palabra")
    assert text_of(answered).startswith("Esto es lo que puedo hacer")
    assert text_of(pressed[0]).startswith("Ahora mismo no guardo nada sobre ti")
    # Asked once for all three, and only with the locale: Slack's answer is kept a short while.
    assert slack.called("users.info") == [{"user": ALICE, "include_locale": "1"}]


async def test_a_message_with_words_is_not_held_up_by_users_info_which_is_asked_for_the_next_turn(http, slack, hearth):
    slack.locales[ALICE] = "es-ES"
    slack.stalled.add("users.info")  # Slack slow to say: a crisis must not wait for it

    await http.event(dm("I want to kill myself tonight"))
    (reply,) = await slack.wait_for(lambda: slack.called("chat.postMessage"))
    assert "please call your local emergency number now" in text_of(reply)

    slack.stalled.discard("users.info")
    locales = SlackLocales(web_client(hearth.settings.slack))
    assert locales.known("T0TEST", ALICE) is None
    locales.warm("T0TEST", ALICE)
    locales.warm("T0TEST", ALICE)  # one call under way at a time
    for _ in range(500):  # the answer comes in the background: look until it has (not a measure of speed)
        if locales.known("T0TEST", ALICE):
            break
        await asyncio.sleep(0.01)
    assert locales.known("T0TEST", ALICE) == "es-ES"
    assert len(slack.called("users.info")) == 2  # the message's background call, then this one


async def test_the_words_still_win_over_the_slack_language(http, slack, fake_llm):
    slack.locales[ALICE] = "es-ES"
    await http.command(command("help", slack))  # a bare command waits for Slack: the locale is known from here on
    (answered,) = await slack.wait_for(lambda: slack.responses)
    assert text_of(answered).startswith("Esto es lo que puedo hacer")

    await http.event(dm("I want to kill myself tonight"))
    (reply,) = await slack.wait_for(lambda: slack.called("chat.postMessage"))

    assert "please call your local emergency number now" in text_of(reply)
    assert home_shown(reply)[1][-1] == "Show crisis lines"
    assert fake_llm.requests == []


async def test_each_person_gets_their_own_slack_language(http, slack):
    slack.locales.update({ALICE: "fr-FR", BOB: "pl-PL"})

    await http.command(command("checkin", slack, user=ALICE))
    await http.command(command("checkin", slack, user=BOB))
    await slack.wait_for(lambda: len(slack.called("views.open")) == 2)

    titles = sorted(call["view"]["title"]["text"] for call in slack.called("views.open"))
    assert titles == ["Point sur l'humeur", "Wpis o nastroju"]


async def test_the_kept_language_expires_and_the_memory_stays_bounded(slack, hearth):
    now = [0.0]
    client = web_client(hearth.settings.slack)
    locales = SlackLocales(client, max_entries=2, ttl=100.0, clock=lambda: now[0])
    slack.locales.update({ALICE: "es-ES", BOB: "nl-NL", "U0CAROL": "it-IT"})

    assert [await locales.get("T0TEST", user) for user in (ALICE, ALICE)] == ["es-ES", "es-ES"]
    slack.locales[ALICE] = "pt-BR"  # changed in Slack
    now[0] = 101.0
    assert await locales.get("T0TEST", ALICE) == "pt-BR"
    for user in (BOB, "U0CAROL", ALICE):
        await locales.get("T0TEST", user)

    asked = [call["user"] for call in slack.called("users.info")]
    assert asked == [ALICE, ALICE, BOB, "U0CAROL", ALICE]  # Alice was the oldest of three, for a memory of two


@pytest.mark.parametrize(
    ("action_id", "opening"), [("hearth:resources", "resources_intro"), ("hearth:handoff", "handoff_none")]
)
async def test_a_crisis_button_is_not_held_up_by_a_slow_users_info(http, slack, hearth, action_id, opening):
    # Slack hangs on users.info: "Show crisis lines" and "Talk to a person" must answer at once, not after the
    # lookup's timeout (a second), in the language the conversation is in.
    slack.stalled.add("users.info")
    await http.event(dm("quiero matarme, ya no puedo más"))
    await slack.wait_for(lambda: slack.called("chat.postMessage"))
    await slack.settle()

    started = time.monotonic()
    status, _ = await http.interaction(button(action_id))
    acked = time.monotonic() - started
    (answer,) = await slack.wait_for(lambda: slack.called("chat.postMessage")[1:])
    answered = time.monotonic() - started

    assert status == 200 and acked < 0.5
    assert answered < 0.8, f"the button's answer took {answered:.2f} s"
    assert text_of(answer).startswith(hearth.crisis.phrasebook("es").say(opening).split(":")[0])
