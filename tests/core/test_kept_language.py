"""A conversation's language outlives the message that said it, with or without an LLM.

Without an LLM (the console's default) Hearth keeps no turns, and a command, an exercise or a "no" to the consent
question keeps none either; yet a bare /help, a button or a short "ok" after Spanish chat must still be Spanish.
So the language the person's own words last said is kept for the conversation (a code, never text), for
`CONTEXT_TTL`; /mydata lists it and /forget erases it. With Redis down the message's own words still decide.
"""

from bot.models import ACTION_RESOURCES
from tests.core.test_tools import app_without_redis  # noqa: F401 - the fixture
from tests.helpers import message

SPANISH_HELP = "Esto es lo que puedo hacer"
FRENCH_HELP = "Voici ce que je peux faire"
ENGLISH_HELP = "Here's what I can do"


async def say(app, text, **fields):
    return await app.pipeline.handle(message(app, text, **fields))


async def test_after_a_spanish_chat_without_an_llm_a_bare_help_and_an_exercise_are_in_spanish(make_app):
    app = make_app()
    chat = await say(app, "hoy fui al parque con mi hermana")
    assert chat.kind == "no_llm" and "Aquí no está activada la conversación libre" in chat.text
    assert not await app.redis.keys("*crisis*")  # no distress: no crisis note keeps the language
    help_ = await say(app, "/help")
    assert help_.text.startswith(SPANISH_HELP) and help_.language == "es"
    journal = await say(app, "/journal")
    assert journal.text.startswith("Aquí tienes una propuesta para escribir")
    assert (await say(app, "/help", conversation="elsewhere")).text.startswith(ENGLISH_HELP)  # another conversation


async def test_a_french_conversation_stays_french_for_a_short_ok_and_a_button(make_app):
    app = make_app(default_country="FR")
    await say(app, "j'ai passé la journée avec ma sœur, c'était bien")
    ok = await say(app, "ok")
    assert ok.text.startswith("La conversation libre n'est pas activée ici")
    lines = await say(app, "", action=ACTION_RESOURCES)
    assert lines.text.startswith("Tu n'as pas à traverser ça seul·e") and lines.language == "fr"
    assert lines.actions[0].label == "Parler à une personne"
    assert (await say(app, "/help")).text.startswith(FRENCH_HELP)


async def test_an_english_message_after_spanish_switches_the_conversation_back_to_english(make_app):
    app = make_app()
    await say(app, "hoy fui al parque con mi hermana")
    assert (await say(app, "/help")).text.startswith(SPANISH_HELP)
    await say(app, "I went for a walk with my sister today and it was nice")
    assert (await say(app, "/help")).text.startswith(ENGLISH_HELP)
    assert (await say(app, "ok")).text.startswith("Free conversation isn't switched on here")


async def test_mydata_lists_the_kept_language_and_after_forget_a_bare_help_is_in_the_default_language(make_app):
    app = make_app()
    await say(app, "hoy fui al parque con mi hermana")
    held = await say(app, "/mydata")
    assert "el idioma en que me escribiste por última vez aquí" in held.text and held.language == "es"
    forgotten = await say(app, "/forget")
    assert forgotten.text.startswith("Hecho. Todo lo que guardaba sobre ti se ha borrado")
    assert not await app.redis.keys("*:lang:*")
    assert (await say(app, "/help")).text.startswith(ENGLISH_HELP)


async def test_the_kept_language_expires_with_the_context(make_app):
    app = make_app(context_ttl=600)
    await say(app, "hoy fui al parque con mi hermana")
    [key] = await app.redis.keys("*:lang:*")
    assert 0 < await app.redis.ttl(key) <= 600 and await app.redis.get(key) == b"es"
    assert b"alice" not in key and b"dm-1" not in key  # pseudonyms only


async def test_before_consent_a_spanish_speaker_who_agrees_with_the_command_is_thanked_in_spanish(make_app, fake_llm):
    # The consent question keeps no turn: only the kept language says the bare /consent is a Spanish speaker's.
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=True)
    asked = await say(app, "hoy fui al parque con mi hermana")
    assert asked.kind == "disclaimer" and asked.language == "es"
    assert not await app.redis.keys("*crisis*")
    agreed = await say(app, "/consent")
    assert agreed.language == "es" and "Gracias" in agreed.text


async def test_with_redis_down_the_messages_own_words_still_decide(app_without_redis):  # noqa: F811
    app = app_without_redis
    chat = await say(app, "hoy fui al parque con mi hermana")
    assert "Aquí no está activada la conversación libre" in chat.text
    assert (await say(app, "/help")).text.startswith(ENGLISH_HELP)  # nothing kept: the default language
