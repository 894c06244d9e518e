"""The exercises follow the person's language like every other reply (`Crisis.language`), keep it until they end,
and fall back to English for whatever a language has not translated; a translation that does not match English
stops start-up naming the file and the key."""

import shutil

import pytest

from bot.config import default_prompts_dir
from bot.prompts import PromptError
from bot.tools.content import load_tools
from tests.helpers import message

TOOLS = default_prompts_dir() / "tools"
LANGUAGES = ("es", "fr", "de", "pt", "it", "nl", "pl")


@pytest.fixture
def tools_copy(tmp_path):
    folder = tmp_path / "tools"
    shutil.copytree(TOOLS, folder)
    return folder


async def test_a_french_persons_breathing_exercise_is_french_with_the_command_names_untouched(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, "/breathe", locale="fr"))
    assert "Respirons ensemble" in reply.text and "**Respiration carrée**" in reply.text
    assert "Une autre façon de respirer : /breathe calm." in reply.text
    assert "Comment te sens-tu maintenant" in reply.text and reply.language == "fr"
    assert "Another pattern" not in reply.text and "Box breathing" not in reply.text
    after = await app.pipeline.handle(message(app, "un peu mieux", locale="fr"))  # answers its closing question
    assert after.kind == "no_llm" and after.text.startswith("Merci de me le dire.")


async def test_a_spanish_grounding_exercise_stays_spanish_whatever_the_answers_say(make_app):
    app = make_app()
    start = await app.pipeline.handle(message(app, "/ground", locale="es"))
    assert start.text.startswith("Hola, soy Hearth, un bot automático")  # first contact: the introduction, in Spanish
    assert "Vamos a anclarnos" in start.text and "¿Qué 5 cosas puedes ver?" in start.text
    assert start.actions[0].label == "Parar este ejercicio"
    answers = ("laptop, phone, cup", "the chair", "cars", "tea")
    steps = [await app.pipeline.handle(message(app, text)) for text in answers]
    assert steps[0].text.startswith("Ahora 4 cosas") and steps[-1].text.startswith("1 cosa que puedes saborear")
    summary = await app.pipeline.handle(message(app, "water"))
    assert summary.text.startswith("Muy bien.") and summary.language == "es"


async def test_stopping_a_polish_exercise_is_answered_in_polish(make_app):
    app = make_app()
    await app.pipeline.handle(message(app, "/ground", locale="pl"))
    stopped = await app.pipeline.handle(message(app, "", action="stop_exercise"))
    assert stopped.text.startswith("Dobrze, przerwaliśmy.") and "/help" in stopped.text
    idle = await app.pipeline.handle(message(app, "/stop", locale="pl"))
    assert idle.text.startswith("Żadne ćwiczenie nie jest teraz w toku.")


def test_every_language_translates_the_short_exercises_keeping_their_shape():
    tools = load_tools(TOOLS)
    english = tools()
    for language in LANGUAGES:
        own = tools(language)
        assert own.language == language
        assert own.breathing.keys() == english.breathing.keys()
        assert own.breathing_intro != english.breathing_intro and own.breathing_outro != english.breathing_outro
        assert "?" in own.breathing_outro and "?" in own.flows["ground"].summary, "the closing question is asked"
        assert "/breathe" in own.breathing_outro and "/ground" in own.breathing_outro
        ground = own.flows["ground"]
        assert [step.key for step in ground.steps] == [step.key for step in english.flows["ground"].steps]
        assert ground.steps[0].ask != english.flows["ground"].steps[0].ask


def test_a_file_a_language_has_not_translated_is_shown_in_english(tools_copy):
    (tools_copy / "pl" / "ground.yaml").unlink()
    tools = load_tools(tools_copy)
    assert tools("pl").flows["ground"] == tools().flows["ground"]
    assert tools("pl").breathing_intro.startswith("Pooddychajmy razem")


def test_a_key_a_language_has_not_translated_is_shown_in_english(tools_copy):
    path = tools_copy / "de" / "breathing.yaml"
    path.write_text("\n".join(line for line in path.read_text().splitlines() if not line.startswith("unknown:")))
    tools = load_tools(tools_copy)
    assert tools("de").breathing_unknown == tools().breathing_unknown
    assert tools("de").breathing_intro.startswith("Lass uns etwa eine Minute")


@pytest.mark.parametrize(
    ("language", "file", "old", "new", "error"),
    [
        ("fr", "breathing", "{others}", "{autres}", r"fr/breathing\.yaml: 'others' uses placeholder\(s\) autres"),
        ("es", "ground", "key: see", "key: ver", r"es/ground\.yaml: 'steps\.1\.key' names a step the code reads"),
        ("de", "breathing", "  calm:", "  ruhig:", r"de/breathing\.yaml: key\(s\) exercises\.ruhig are not in English"),
        ("nl", "ground", '  - key: taste\n    ask: "1 ding dat je kunt proeven, of één langzame slok water."\n', "",
         r"nl/ground\.yaml: 'steps' must list 5 items, as English does"),
        ("it", "breathing", 'intro: "Respiriamo', 'intro: ["Respiriamo', r"not valid YAML at line \d+: .*it/breathing"),
        ("pt", "ground", 'summary: "Muito bem.', 'summary: {"Muito bem.',
         r"not valid YAML at line \d+: .*pt/ground\.yaml"),
    ],
)  # fmt: skip
def test_a_tool_translation_unlike_english_stops_start_up_naming_file_and_key(
    tools_copy, language, file, old, new, error
):
    path = tools_copy / language / f"{file}.yaml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(PromptError, match=error) as caught:
        load_tools(tools_copy)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_a_tool_file_english_does_not_have_is_refused(tools_copy):
    (tools_copy / "es" / "meditate.yaml").write_text("intro: hola\n")
    with pytest.raises(PromptError, match=r"es/meditate\.yaml: no such tool in English"):
        load_tools(tools_copy)


async def test_a_german_learn_card_and_its_topic_list_are_german_with_the_topics_as_typed(make_app):
    app = make_app()
    card = await app.pipeline.handle(message(app, "/learn sleep", locale="de"))
    assert card.text.startswith("Hallo, ich bin Hearth")  # first contact: the introduction, in German
    assert "**Schlaf**\nSchlaf und Stimmung" in card.text and card.actions[0].label == "Krisenlinien zeigen"
    listed = await app.pipeline.handle(message(app, "/learn dreams", locale="de"))
    assert listed.text.startswith("Dazu habe ich noch keine Karte. Kurze Karten")
    assert "• /learn low-mood: Gedrückte Stimmung" in listed.text


async def test_a_portuguese_thought_record_asks_and_sums_up_in_portuguese(make_app):
    app = make_app()
    first = await app.pipeline.handle(message(app, "/reframe", locale="pt-BR"))
    assert "O que aconteceu?" in first.text
    answers = ["perdi o prazo", "sou inútil", "vergonha 80", "rotulação", "atrasei", "costumo entregar",
               "tive uma semana difícil", "vergonha 40"]  # fmt: skip
    replies = [await app.pipeline.handle(message(app, text, locale="pt-BR")) for text in answers]
    assert replies[-1].text.startswith("Aqui está o seu registro de pensamentos:")
    assert "• Pensamento: sou inútil" in replies[-1].text and "• Sentimento agora: vergonha 40" in replies[-1].text


def test_every_language_translates_the_longer_tools_keeping_their_shape():
    tools = load_tools(TOOLS)
    english = tools()
    for language in LANGUAGES:
        own = tools(language)
        assert own.cards.keys() == english.cards.keys(), "the topics are typed after /learn"
        assert len(own.journal) == len(english.journal) and own.journal[0] != english.journal[0]
        assert own.learn_intro != english.learn_intro and own.learn_missing != english.learn_missing
        for name in ("prepare", "reframe"):
            flow, source = own.flows[name], english.flows[name]
            assert flow.intro != source.intro and flow.summary != source.summary and "/stop" in flow.intro
            assert all(step.ask != theirs.ask for step, theirs in zip(flow.steps, source.steps, strict=True))
        assert all(title != english.cards[key][0] or key == "stress" for key, (title, _) in own.cards.items())


async def test_a_spanish_check_in_asks_records_and_charts_in_spanish_with_the_commands_as_typed(make_app):
    app = make_app()
    asked, lowest, _, history = [
        await app.pipeline.handle(message(app, text, locale="es"))
        for text in ("/checkin", "/checkin 1", "/checkin 2", "/checkin history")
    ]
    assert "¿Cómo te sientes ahora mismo, de 1 (muy mal) a 5 (muy bien)?" in asked.text
    assert "se guardan 14 días" in asked.text and "/checkin history" in asked.text and asked.language == "es"
    assert "How are you feeling" not in asked.text
    assert lowest.text.startswith("Gracias por contarme cómo estás: muy mal (1/5).")
    assert "/resources muestra a quién" in lowest.text and lowest.actions[0].label == "Ver líneas de ayuda"
    assert history.text.startswith("Tus últimos 2 registros") and "(media 1,5/5)" in history.text


async def test_a_wrong_mood_and_an_empty_history_are_told_in_the_persons_language(make_app, redis):
    app = make_app()
    none = await app.pipeline.handle(message(app, "/checkin history", locale="pl"))
    assert none.text.endswith("\nNie masz jeszcze żadnych wpisów o nastroju. /checkin zaczyna nowy.")
    wrong = await app.pipeline.handle(message(app, "/checkin 9", locale="it"))
    assert wrong.text.startswith("Posso registrare solo un numero intero da 1 a 5")
    one = await app.pipeline.handle(message(app, "/checkin 4 dormito bene", locale="nl"))
    assert one.text.startswith("Bedankt voor je check-in: goed (4/5).")
    assert (await app.pipeline.handle(message(app, "/checkin history", locale="de"))).text.startswith(
        "Dein letzter Check-in: "
    )


def test_every_language_translates_the_check_in_keeping_its_commands():
    tools = load_tools(TOOLS)
    english = tools().checkin
    for language in LANGUAGES:
        own = tools(language).checkin
        assert own.ask != english.ask and own.thanks != english.thanks and own.labels != english.labels
        assert all(command in own.ask for command in ("/checkin history", "/forget", "1", "5"))
        assert "/resources" in own.lowest and "/checkin" in own.none


def test_every_language_translates_the_check_in_form_with_its_time_and_forget():
    tools = load_tools(TOOLS)
    english = tools().checkin.form
    for language in LANGUAGES:
        form = tools(language).checkin.form
        untranslated = [key for key in form.__slots__ if getattr(form, key) == getattr(english, key)]
        assert untranslated == [], (language, untranslated)
        assert "{time}" in form.kept and "/forget" in form.kept, language


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("(media {average}/5)", "(media {promedio}/5)", r"es/checkin\.yaml: 'last_many' uses placeholder\(s\) chart"),
        ("  - muy bien\n", "", r"es/checkin\.yaml: 'labels' must list 5 items, as English does"),
        # Slack refuses a modal whose title or buttons are longer than 24 characters: refused at start-up instead.
        ('title: "Registro de ánimo"', 'title: "Registro de cómo te sientes hoy"',
         r"es/checkin\.yaml: 'form\.title' is longer than 24 characters"),
        ("{time}, para que veas cómo cambian las cosas. La", "{tiempo}, para que veas cómo cambian las cosas. La",
         r"es/checkin\.yaml: 'form\.kept' uses placeholder\(s\) tiempo; English uses time"),
    ],
)  # fmt: skip
def test_a_check_in_translation_unlike_english_stops_start_up(tools_copy, old, new, error):
    path = tools_copy / "es" / "checkin.yaml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(PromptError, match=error):
        load_tools(tools_copy)
