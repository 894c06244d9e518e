"""Hearth's fixed messages (/help, /about, /mydata, /forget, the limits, the errors) follow the language the turn is
in, chosen as the crisis texts are: the message's own words, else the conversation's kept language, else the
platform's locale, else English. English fills in what a language file lacks; a file that does not match English
stops start-up naming the file and the key."""

import re
import shutil

import pytest

from adapters.discord.alerts import alert_text as discord_alert
from adapters.slack.deliver import alert_text as slack_alert
from bot.config import default_prompts_dir
from bot.models import ACTION_HANDOFF, ACTION_HANDOFF_SHARE
from bot.pipeline import SORRY, Pipeline
from bot.prompts import PromptError, load_prompts
from bot.yamlfile import read_mapping
from tests.helpers import message

MESSAGES = default_prompts_dir() / "messages"
LANGUAGES = ("es", "fr", "de", "pt", "it", "nl", "pl")
ENGLISH_HELP = "Here's what I can do"


@pytest.fixture
def prompts_copy(tmp_path):
    folder = tmp_path / "prompts"
    shutil.copytree(default_prompts_dir(), folder)
    return folder


async def test_a_spanish_locale_gets_the_spanish_help_with_the_command_names_untouched(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, "/help", locale="es-ES"))
    assert reply.text.startswith("Esto es lo que puedo hacer")
    assert ENGLISH_HELP not in reply.text and reply.language == "es"
    english = load_prompts(default_prompts_dir()).say("help")
    assert re.findall(r"^/\w+", reply.text, re.M) == re.findall(r"^/\w+", english, re.M)


async def test_after_spanish_words_help_about_mydata_and_forget_are_in_spanish(make_app):
    app = make_app(default_country="ES")
    await app.pipeline.handle(message(app, "quiero matarme, ya no puedo más"))  # the conversation keeps Spanish
    about, help_, mydata, forget = [
        await app.pipeline.handle(message(app, text)) for text in ("/about", "/help", "/mydata", "/forget")
    ]
    assert about.text.startswith("Soy Hearth, un bot automático") and "I'm Hearth" not in about.text
    assert "30 min" in about.text and about.actions[0].label == "Ver líneas de ayuda"
    assert help_.text.startswith("Esto es lo que puedo hacer")
    assert mydata.text.startswith("Esto es todo lo que guardo sobre ti")
    assert "una nota de seguridad sobre esta conversación" in mydata.text and ": se borra en " in mydata.text
    assert "deleted in" not in mydata.text and "safety note" not in mydata.text
    assert forget.text.startswith("Hecho. Todo lo que guardaba sobre ti se ha borrado")


async def test_a_french_message_with_no_kept_language_gets_french_errors_and_an_unknown_command_in_french(make_app):
    app = make_app(max_message_chars=40)
    too_long = await app.pipeline.handle(message(app, "je voudrais te raconter ma journée, elle a été très longue"))
    assert "la limite est de 40 caractères" in too_long.text and "longer than I can" not in too_long.text
    empty = await app.pipeline.handle(message(app, "   ", locale="fr"))
    assert empty.text.startswith("Je n'ai vu aucun mot") and empty.language == "fr"
    unknown = await app.pipeline.handle(message(app, "/aide", locale="fr", user="bob"))
    assert unknown.text == "Je ne connais pas la commande /aide. /help liste ce que je peux faire."


async def test_a_german_speaker_who_is_rate_limited_reads_when_in_german(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, rate_limit_per_user="1/10m")
    assert (await app.pipeline.handle(message(app, "hallo, wie geht es dir heute?"))).kind == "llm"
    reply = await app.pipeline.handle(message(app, "bist du noch da? ich wollte dir etwas erzählen"))
    assert reply.kind == "limited" and reply.language == "de"
    assert "Ich kann dir in etwa 10 Minuten wieder antworten." in reply.text
    assert all(command in reply.text for command in ("/resources", "/breathe", "/help"))
    assert reply.actions[0].label == "Krisenlinien zeigen"


async def test_an_english_speaker_still_reads_english(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, "/help", locale="en-US"))
    assert reply.text.startswith(ENGLISH_HELP)


async def test_after_a_spanish_chat_without_distress_a_bare_help_is_in_spanish_before_the_platforms_locale(
    make_app, fake_llm
):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    for text in ("hola, hoy ha sido un día largo", "sí, estoy cansada del trabajo"):
        assert (await app.pipeline.handle(message(app, text, locale="en-US"))).kind == "llm"
    assert not (await app.redis.keys("*crisis*"))  # no distress: only the recent turns say the language
    reply = await app.pipeline.handle(message(app, "/help", locale="en-US"))
    assert reply.text.startswith("Esto es lo que puedo hacer") and reply.language == "es"
    other = await app.pipeline.handle(message(app, "/help", locale="en-US", conversation="elsewhere"))
    assert other.text.startswith(ENGLISH_HELP)  # another conversation's turns say nothing of this one


async def test_a_spanish_speaker_who_writes_one_english_sentence_is_answered_in_english_for_it(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, max_message_chars=80)
    await app.pipeline.handle(message(app, "hola, hoy ha sido un día largo y estoy cansada"))
    english = "I would like to describe my whole weekend to you in English, starting with the Saturday morning market"
    too_long = await app.pipeline.handle(message(app, english))
    assert too_long.text.startswith("That message is longer than I can take in") and too_long.language == "en"
    # Their newest words were English (though too long to keep as a turn): a bare /about follows them...
    assert (await app.pipeline.handle(message(app, "/about"))).text.startswith("I'm Hearth")
    await app.pipeline.handle(message(app, "sí, perdona, estoy muy cansada"))
    assert (await app.pipeline.handle(message(app, "/about"))).text.startswith("Soy Hearth")  # ...until Spanish


async def test_a_crisis_keeps_its_language_over_the_chat_before_it(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="ES")
    await app.pipeline.handle(message(app, "hello, it has been a long day at work"))
    assert (await app.pipeline.handle(message(app, "quiero matarme, ya no puedo más"))).kind == "crisis"
    follow = await app.pipeline.handle(message(app, "ok"))
    assert follow.actions[0].label == "Ver líneas de ayuda"  # the lines stay one press away, in Spanish
    assert (await app.pipeline.handle(message(app, "/help"))).text.startswith("Esto es lo que puedo hacer")


async def test_the_moderators_alert_is_in_english_and_shares_only_what_the_person_read_in_their_language(make_app):
    # The moderators are the community's, not the person's: no community language is configured, so the alert's
    # frame stays English; the summary is the one the person agreed to share, in the words they were shown.
    app = make_app(default_country="ES")
    await app.communities.update(app.ids("tenant", "test"), moderator_channel="mods")
    await app.pipeline.handle(message(app, "quiero matarme, ya no puedo más"))
    link = "https://discord.com/channels/1/2"
    await app.pipeline.handle(message(app, "", action=ACTION_HANDOFF, link=link))
    shared = await app.pipeline.handle(message(app, "", action=ACTION_HANDOFF_SHARE, link=link))
    assert shared.language == "es" and shared.alert.summary in shared.text
    assert "matarme" not in shared.alert.summary
    assert shared.alert.undelivered.startswith("Intenté avisar")  # told to the person, if it fails
    english = app.prompts()
    discord, slack = discord_alert(shared.alert, "42", english), slack_alert(shared.alert, english)
    assert "Hearth alert (urgent): a member may need a person to check in with them." in discord
    assert slack.startswith("Hearth: someone in this workspace may need support (level: urgent).")
    assert all(f"Shared with their agreement: {shared.alert.summary}" in text for text in (discord, slack))


def test_every_language_has_every_message_english_has():
    # English fills any gap at run time; the shipped files hold no gap.
    prompts = load_prompts(default_prompts_dir())
    english = prompts().texts
    for language in LANGUAGES:
        texts = prompts(language).texts
        assert prompts(language).language == language
        untranslated = [key for key in english if texts[key] == english[key] and not key.startswith("duration_")]
        assert untranslated == [], f"{language}: still English"


def keys_lacking(folder):
    """Per language file, the keys English has and it lacks, the nested ones (`commands.hearth-config.options.
    language`) as dotted paths."""

    def keys(data, under=""):
        found = set()
        for key, value in data.items():
            path = f"{under}{key}"
            found |= keys(value, f"{path}.") if isinstance(value, dict) else {path}
        return found

    english = keys(read_mapping(folder / "en.yaml", PromptError, "Prompt file"))
    return {
        path.stem: sorted(english - keys(read_mapping(path, PromptError, "Prompt file")))
        for path in sorted(folder.glob("*.yaml"))
        if path.stem != "en"
    }


def test_no_language_file_lacks_a_key_english_has():
    # English fills a gap at run time, so a text can be added a language at a time; the shipped files hold no
    # gap, the command picker's texts and what moderators and admins read (alerts, settings) included.
    lacking = keys_lacking(MESSAGES)
    assert set(lacking) == set(LANGUAGES)
    assert lacking == {language: [] for language in LANGUAGES}


def test_a_language_file_lacking_a_moderator_or_picker_text_is_found(prompts_copy):
    german, polish = prompts_copy / "messages" / "de.yaml", prompts_copy / "messages" / "pl.yaml"
    german.write_text(re.sub(r"(?m)^mod_alert: .*\n", "", german.read_text()))
    polish.write_text(re.sub(r"(?m)^      language: .*\n", "", polish.read_text()))
    load_prompts(prompts_copy)  # still loads: English fills the gaps at run time
    lacking = keys_lacking(prompts_copy / "messages")
    assert lacking["de"] == ["mod_alert"] and lacking["pl"] == ["commands.hearth-config.options.language"]
    assert lacking["es"] == []


def test_every_language_says_it_is_a_bot_and_promises_no_secrecy():
    prompts = load_prompts(default_prompts_dir())
    for language in LANGUAGES:
        said = prompts(language)
        for key in ("about", "screened_out", "screened_secrecy"):
            assert "bot" in said.say(key, context_minutes="", flag_time="", checkin_time="").lower(), (language, key)
        for key in ("help", "about", "storage_down", "limit_user"):
            commands = set(re.findall(r"/[a-z]+", prompts().texts[key]))
            assert commands <= set(re.findall(r"/[a-z]+", said.texts[key])), (language, key)


def test_a_key_missing_from_a_language_is_said_in_english(prompts_copy):
    path = prompts_copy / "messages" / "es.yaml"
    path.write_text(re.sub(r"(?ms)^help: \|-\n(?:  .*\n)+", "", path.read_text()))
    prompts = load_prompts(prompts_copy)
    assert prompts("es").say("help").startswith(ENGLISH_HELP)
    assert prompts("es").say("empty").startswith("No he visto ninguna palabra")


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (("fr", "la limite est de {limit}", "la limite est de {limite}"), r"fr\.yaml: 'too_long' uses placeholder"),
        (("de", "Ich kann dir {when} wieder antworten.", "Ich kann dir bald wieder antworten."),
         r"de\.yaml: 'limit_user' uses placeholder\(s\) none; English uses when"),
        (("it", "{context_minutes}", "{minuti}"), r"it\.yaml: 'about' uses placeholder\(s\) checkin_time, flag_time"),
        (("pl", "Ta wiadomość jest dłuższa, niż mogę przeczytać naraz (limit to {limit} znaków)", "Za długa"),
         r"pl\.yaml: 'too_long' uses placeholder\(s\) none; English uses limit"),
        (("nl", "stop_exercise: Deze oefening stoppen", "stop_oefening: Deze oefening stoppen"),
         r"nl\.yaml: key\(s\) stop_oefening are not in English"),
        (("pt", "empty: |-\n  Não vi nenhuma palavra nisso. Quando quiser, é só escrever o que está na sua cabeça.",
          'empty: ""'), r"pt\.yaml: 'empty' is missing or empty"),
        (("es", "stop_exercise: Parar este ejercicio", "stop_exercise: ["), r"not valid YAML at line \d+: .*es\.yaml"),
        (("es", "when_minute: en más o menos un minuto", "when_minute: en {n minutos"),
         r"es\.yaml: 'when_minute' has a stray"),
    ],
)  # fmt: skip
def test_a_language_file_that_does_not_match_english_stops_start_up_naming_file_and_key(prompts_copy, damage, error):
    language, old, new = damage
    path = prompts_copy / "messages" / f"{language}.yaml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(PromptError, match=error) as caught:
        load_prompts(prompts_copy)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_english_is_required(prompts_copy):
    (prompts_copy / "messages" / "en.yaml").unlink()
    with pytest.raises(PromptError, match=r"Prompt file missing: .*messages/en\.yaml"):
        load_prompts(prompts_copy)


def _break(app, monkeypatch, name, error):
    stage = next(stage for stage in app.pipeline._stages if stage.name == name)

    async def boom(turn):
        raise error

    monkeypatch.setattr(stage, "run", boom)


@pytest.mark.parametrize(
    ("text", "locale", "start", "button"),
    [
        ("/help", "es-ES", "Lo siento, algo ha fallado por mi parte", "Ver líneas de ayuda"),
        ("/help", "pl", "Przepraszam, coś poszło nie tak po mojej stronie", "Pokaż linie wsparcia"),
        ("/help", None, "Sorry, something went wrong on my side", "Show crisis lines"),
    ],
)
async def test_a_failing_stage_says_sorry_in_the_persons_language_and_never_the_exceptions_text(
    make_app, monkeypatch, text, locale, start, button
):
    app = make_app()
    _break(app, monkeypatch, "commands", KeyError("Traceback: secret detail in KeyError"))
    reply = await app.pipeline.handle(message(app, text, locale=locale))
    assert reply.text.startswith(start) and reply.actions[0].label == button
    assert not any(word in reply.text for word in ("Traceback", "secret detail", "KeyError", "Error"))


async def test_after_french_words_a_failing_stage_says_sorry_in_french(make_app, monkeypatch):
    app = make_app()
    _break(app, monkeypatch, "tools", RuntimeError("boom"))
    reply = await app.pipeline.handle(message(app, "/breathe je voudrais respirer un peu avec toi"))
    assert reply.text.startswith("Désolé, quelque chose n'a pas marché") and reply.language == "fr"
    assert "boom" not in reply.text


async def test_when_even_the_sorry_fails_the_reply_is_the_plain_english_one(make_app):
    class Boom:
        name = "boom"

        async def run(self, turn):
            raise RuntimeError("boom")

    def broken(turn):
        raise ValueError("no language")

    app = make_app()
    reply = await Pipeline([Boom()], sorry=broken).handle(message(app, "/mydata", locale="de"))
    assert reply.text == SORRY and reply.actions[0].label == "Show crisis lines"
