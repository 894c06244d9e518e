"""A person who writes in Spanish, French, German or Portuguese is answered in that language, end to end; a crisis
said directly in Italian, Dutch or Polish is recognised."""

import asyncio
import shutil

import pytest

from bot.config import default_prompts_dir
from bot.crisis.classifier import load_classifier
from bot.crisis.detector import Detector
from bot.crisis.judge import Judge
from bot.crisis.lexicon import CrisisDataError, load_lexicon
from bot.crisis.replies import load_phrasebook
from bot.models import ACTION_HANDOFF, ACTION_RESOURCES, Category, Level
from tests.fakes.openai_server import Script
from tests.helpers import message, shared_languages

REPLIES = default_prompts_dir() / "crisis" / "replies"


@pytest.fixture(scope="module")
def detector():
    return Detector(load_lexicon(default_prompts_dir() / "crisis"))


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("voglio morire", Level.URGENT),
        ("mi voglio suicidare", Level.URGENT),
        ("io non voglio più vivere, voglio farla finita", Level.URGENT),
        ("non ce la faccio più a vivere", Level.URGENT),
        ("vorrei addormentarmi e non svegliarmi più", Level.URGENT),
        ("mi taglio di nuovo", Level.URGENT),
        ("stanotte mi ammazzo", Level.IMMINENT),
        ("ik wil dood", Level.URGENT),
        ("ik wil zelfmoord plegen", Level.URGENT),
        ("ik wil er niet meer zijn", Level.URGENT),
        ("ik snijd mezelf", Level.URGENT),
        ("vannacht ga ik zelfmoord plegen", Level.IMMINENT),
        ("chcę się zabić", Level.URGENT),
        ("nie chcę już żyć", Level.URGENT),
        ("chcialabym umrzec", Level.URGENT),
        ("tnę się", Level.URGENT),
        ("dziś w nocy się zabiję", Level.IMMINENT),
    ],
)
def test_a_crisis_said_directly_in_italian_dutch_or_polish_is_recognised(detector, text, level):
    assert detector.detect(text).level is level


@pytest.mark.parametrize(
    ("crisis", "idiom"),
    [
        ("voglio morire", "muoio dal ridere ahahah"),
        ("voglio morire", "sto morendo di caldo"),
        ("voglio morire", "voglio morire dalle risate"),
        ("mi taglio", "mi taglio i capelli domani"),
        ("non voglio più vivere", "non voglio più vivere in questa città"),
        ("ik wil dood", "ik ga dood van het lachen"),
        ("ik wil dood", "ik ga dood van de hitte"),
        ("ik wil dood", "ik wil dood van schaamte"),
        ("ik snijd mezelf", "ik snijd mezelf in mijn vinger bij het koken"),
        ("chcę umrzeć", "umieram ze śmiechu"),
        ("chcę umrzeć", "umieram z nudów"),
        ("chcę umrzeć", "chcę umrzeć ze wstydu"),
        ("zabiję się", "zabij mnie xD"),
        ("nie chcę już żyć", "nie chcę już żyć w tym mieście"),
    ],
)
def test_an_idiom_in_italian_dutch_or_polish_is_told_apart_from_the_crisis_it_resembles(detector, crisis, idiom):
    assert detector.detect(crisis).level.at_least(Level.URGENT)
    assert not detector.detect(idiom).level.at_least(Level.URGENT)


@pytest.mark.parametrize(
    ("crisis", "denied"),
    [
        ("voglio morire", "non voglio morire"),
        ("io mi voglio ammazzare", "io non mi voglio ammazzare"),
        ("ik wil zelfmoord plegen", "ik wil nooit zelfmoord plegen"),
        ("ik snijd mezelf", "ik snijd mezelf niet"),
        ("chcę umrzeć", "nie chcę umrzeć"),
        ("chcę się zabić", "nie chcę się zabić"),
    ],
)
def test_a_crisis_denied_in_italian_dutch_or_polish_is_not_urgent(detector, crisis, denied):
    assert detector.detect(crisis).level.at_least(Level.URGENT)
    assert not detector.detect(denied).level.at_least(Level.URGENT)


def test_laughter_in_italian_and_polish_reads_as_a_joke(detector):
    # "ahahah", like "lol", makes a phrase often said as hyperbole concern at most.
    assert detector.detect("mi ammazzo ahahah").level is Level.CONCERN
    assert detector.detect("zabiję się hahahaha").level is Level.CONCERN


@pytest.mark.parametrize(
    ("text", "country", "words", "line"),
    [
        ("ya no aguanto más, quiero morir", "ES", "Me alegra de verdad", "llama al 024"),
        ("je veux mourir, je n'en peux plus", "FR", "Je suis vraiment content", "appelle le 3114"),
        ("ich will nicht mehr leben", "DE", "Ich bin wirklich froh", "ruf 0800 111 0 111"),
        ("não aguento mais, quero morrer", "BR", "Fico muito feliz", "ligue para 188"),
    ],
)
async def test_a_crisis_in_another_language_is_answered_in_it(make_app, fake_llm, text, country, words, line):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country=country)
    reply = await app.pipeline.handle(message(app, text))
    assert reply.kind == "crisis" and reply.level.at_least(Level.URGENT)
    assert words in reply.text and line in reply.text
    assert "I'm Hearth" not in reply.text and "Please also reach out" not in reply.text  # no English left over
    assert "Talk to a person" not in [action.label for action in reply.actions]
    assert fake_llm.requests == []


async def test_the_handoff_button_after_a_spanish_crisis_answers_in_spanish(make_app):
    app = make_app(default_country="MX")
    await app.pipeline.handle(message(app, "quiero matarme, ya no puedo más"))
    handoff = await app.pipeline.handle(message(app, "", action=ACTION_HANDOFF, link="https://x/1"))
    resources = await app.pipeline.handle(message(app, "/resources"))
    assert "Lo siento" in handoff.text and "800 911 2000" in handoff.text
    assert resources.text.startswith("No tienes que pasar por esto a solas")


async def test_english_stays_english_and_a_word_of_spanish_does_not_switch(make_app):
    app = make_app(default_country="US")
    english = await app.pipeline.handle(message(app, "i want to kill myself, no más"))
    assert english.text.startswith("I'm really glad you told me")
    assert "call 988" in english.text


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        # The pronoun before the verb says whom: "me" is oneself, so this is suicide, not a threat to others
        # (whose reply would open with "it's important that nobody gets hurt").
        ("me quiero matar", {Category.SUICIDE}),
        ("me voy a matar hoy", {Category.SUICIDE}),
        ("vou me matar hoje", {Category.SUICIDE}),
        ("tô pensando em me matar", {Category.SUICIDE}),
        ("te voy a matar, lo juro", {Category.HARM_TO_OTHERS}),
        ("vou te matar", {Category.HARM_TO_OTHERS}),
    ],
)
def test_killing_oneself_in_spanish_or_portuguese_is_not_read_as_a_threat_to_others(detector, text, categories):
    found = detector.detect(text)
    assert found.level is not Level.NONE and set(found.categories) == categories


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # As chat writes them: no "ich"/"ik", "kero"/"kiero" for quero/quiero, "nn" for non, the time mid-phrase.
        ("will einfach sterben", Level.URGENT),
        ("möchte nicht mehr leben", Level.URGENT),
        ("kero morrer", Level.URGENT),
        ("kiero morirme ya", Level.URGENT),
        ("nn voglio piu vivere", Level.URGENT),
        ("wil niet meer leven", Level.URGENT),
        ("ik ga mezelf vanavond van kant maken", Level.IMMINENT),
        ("will mal sehen ob das klappt", Level.NONE),
        ("nn everyone, see you tomorrow", Level.NONE),
    ],
)
def test_a_crisis_in_chat_spelling_is_recognised_in_other_languages(detector, text, level):
    assert detector.detect(text).level is level


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("quiero suicidarme", "es"),
        ("voglio morire", "it"),
        ("jveux crever", "fr"),
        ("sí", None),
        ("ok", None),
        # Abuse told in everyday words, with none of the crisis words the markers were first written for.
        ("hij slaat me elke avond", "nl"),
        ("mi picchia ogni sera", "it"),
        ("mi padre me pega cada noche", "es"),
    ],
)
def test_a_short_message_with_one_telling_word_says_its_language(text, language):
    assert load_phrasebook(REPLIES, shared_languages()).language_of(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Everyday words no marker lists: the language model reads them.
        ("hola, hoy me siento un poco triste", "es"),
        ("hasta mañana", "es"),
        ("ich wollte mit jemandem reden", "de"),
        ("nossa q filme triste, chorei horrores no final", "pt"),
        ("wie komt er zaterdag pizza eten?", "nl"),
        ("uciekł mi pociąg, jadę następnym", "pl"),
        # Words two languages share do not outvote the rest: Italian, not Spanish.
        ("Mi sento solo, non ce la faccio più", "it"),
        # Slang the model is unsure of: the crisis words decide.
        ("jveux crever", "fr"),
        # Letters in another form are the same letters.
        ("ＱＵＩＥＲＯ ＭＯＲＩＲ ya", "es"),
        # Languages Hearth has no texts in say nothing, rather than the nearest of Hearth's.
        ("bugün çok üzgünüm", None),
        ("мне очень плохо сегодня", None),
        ("أنا حزين جدا اليوم", None),
    ],
)
def test_the_language_is_read_from_any_words_not_only_listed_ones(text, language):
    assert load_phrasebook(REPLIES, shared_languages()).language_of(text) == language


async def test_a_spanish_crisis_in_words_no_marker_lists_is_answered_in_spanish(make_app):
    # "me quiero matar" shares "me" with French and English: the markers alone named no language, so a person
    # with no earlier Spanish in the conversation read the crisis reply in English.
    app = make_app(default_country="ES")
    reply = await app.pipeline.handle(message(app, "me quiero matar"))
    assert reply.kind == "crisis" and reply.language == "es" and "llama al 024" in reply.text
    assert "I'm Hearth" not in reply.text


def test_a_reply_file_in_a_language_the_model_does_not_know_stops_start_up(tmp_path):
    folder = tmp_path / "replies"
    shutil.copytree(REPLIES, folder)
    shutil.copy(folder / "es.yaml", folder / "zz.yaml")
    with pytest.raises(CrisisDataError, match=r"replies: the language model knows no language zz"):
        load_phrasebook(folder)


async def test_a_two_word_spanish_crisis_is_answered_in_spanish(make_app):
    app = make_app(default_country="ES")
    reply = await app.pipeline.handle(message(app, "quiero suicidarme"))
    assert reply.kind == "crisis" and "llama al 024" in reply.text
    assert "I'm Hearth" not in reply.text


@pytest.mark.parametrize("text", ["me voy a matar", "me voy a suicidar", "me voy a tirar del puente"])
async def test_i_am_going_to_kill_myself_in_spanish_is_answered_in_spanish(make_app, text):
    # "me" and "a" are shared with Portuguese, French and Italian, and the model is unsure of so few words:
    # "me voy a matar" tied Spanish with Portuguese ("me", "matar") and the reply came in English.
    app = make_app(default_country="MX")
    reply = await app.pipeline.handle(message(app, text))
    assert reply.kind == "crisis" and reply.level.at_least(Level.URGENT) and reply.language == "es"
    assert "800 911 2000" in reply.text and "I'm Hearth" not in reply.text


def test_the_guess_needs_more_than_one_shared_word():
    book = load_phrasebook(REPLIES, shared_languages())
    assert book.language_of("ok") is None
    assert book.language_of("sí") is None
    assert book.language_of("😔😔") is None
    assert book.language_of("Tengo miedo y estoy sola esta noche") == "es"
    assert book.language_of("J'ai peur, je suis seule ce soir") == "fr"
    assert book.language_of("Ich habe Angst und bin allein") == "de"
    assert book.language_of("Estou com medo e sozinha hoje") == "pt"
    assert book.language_of("I am scared and alone tonight, it's too much") == "en"


@pytest.mark.parametrize(
    ("name", "key", "error"),
    [
        ("de.yaml", "reach_person:", r"de\.yaml: text 'reach_person' is missing"),
        ("nl.yaml", "consent_answers:", r"nl\.yaml: 'consent_answers' must be a mapping"),  # the consent words
    ],
)
def test_a_language_file_missing_a_text_stops_start_up_naming_it(tmp_path, name, key, error):
    folder = tmp_path / "replies"
    shutil.copytree(REPLIES, folder)
    damaged = folder / name
    damaged.write_text(damaged.read_text(encoding="utf-8").replace(key, f"x{key}"), encoding="utf-8")
    with pytest.raises(CrisisDataError, match=error):
        load_phrasebook(folder, shared_languages())


def test_every_language_keeps_the_emergency_number_and_the_summary_english_has():
    book = load_phrasebook(REPLIES, shared_languages())
    english = book("en")
    assert set(book.by_language) == {"en", "es", "fr", "de", "pt", "it", "nl", "pl"}
    for language, texts in book.by_language.items():
        for key, text in english.fixed.items():
            for placeholder in ("{emergency}", "{summary}", "{what}"):
                assert (placeholder in text) == (placeholder in texts.fixed[key]), (language, key)
        # Country names are written in English, so other languages leave them out of the heading.
        assert "{country}" not in texts.fixed["lines_header"] or language == "en"


@pytest.mark.parametrize(
    "question",
    [
        "cuál es el puente más alto de la ciudad",
        "¿cuántas pastillas hacen falta?",
        "duele mucho si uno se corta las venas?",
        "qual a altura da ponte Rio-Niterói?",
        "onde posso comprar chumbinho",
        "quelle est la dose mortelle de doliprane",
        "à quelle heure passe le train de marchandises",
        "wie viele Schlaftabletten sind tödlich",
        "wann fahren nachts die Güterzüge durch den Ort",
    ],
)
async def test_a_means_question_in_another_language_is_declined_alone_and_a_crisis_after_distress(make_app, question):
    # The rules' own context path, as in English: the learned screen is left out so that it is the rule that counts.
    app = make_app(crisis_classifier=False)
    alone = await app.pipeline.handle(message(app, question, conversation="alone"))
    assert alone.kind == "check_in" and alone.level is Level.CONCERN
    await app.pipeline.handle(message(app, "estoy muy cansada de todo, ya no puedo más", conversation="after"))
    after = await app.pipeline.handle(message(app, question, conversation="after"))
    assert after.kind == "crisis" and after.level.at_least(Level.URGENT)
    # ...and says, in the reply's language, that it will not answer the question (SAFETY.md rule 2).
    assert app.crisis.phrasebook(after.language).say("method_in_crisis") in after.text


ENGLISH_LEFT_OVER = ("I'm Hearth", "Please also reach out", "Talk to a person", "call ", "your local emergency")


@pytest.mark.parametrize(
    ("text", "country", "words", "line", "button"),
    [
        ("ik wil dood, ik kan niet meer", "NL", "Ik ben echt blij", "bel 113 / 0800-0113", "Praat met een mens"),
        ("voglio morire, non ce la faccio più", "IT", "Sono davvero felice", "chiama il 02 2327 2327", "Parla con"),
        ("nie chcę już żyć, chcę się zabić", "PL", "Naprawdę dobrze", "zadzwoń pod 116 123", "Porozmawiaj"),
    ],
)
async def test_a_dutch_italian_or_polish_crisis_is_answered_in_it_with_that_countrys_line(
    make_app, fake_llm, text, country, words, line, button
):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country=country)
    reply = await app.pipeline.handle(message(app, text))
    assert reply.kind == "crisis" and reply.level.at_least(Level.URGENT)
    assert reply.text.startswith(words) and line in reply.text
    assert reply.actions[0].label.startswith(button)
    assert reply.public_notice and reply.public_notice.startswith("Hearth ")
    assert not any(english in reply.text or english in reply.public_notice for english in ENGLISH_LEFT_OVER)
    assert reply.language == country.lower()
    assert fake_llm.requests == []


@pytest.mark.parametrize(
    ("text", "emergency", "helpline"),
    [
        ("stanotte mi ammazzo", "chiama subito il numero di emergenza del tuo paese", "linee gratuite e riservate"),
        ("vannacht ga ik zelfmoord plegen", "bel dan nu het alarmnummer van je land", "gratis, vertrouwelijke"),
        ("dziś w nocy się zabiję", "zadzwoń teraz pod numer alarmowy w twoim kraju", "bezpłatne, poufne linie"),
        ("esta noche me mato, ya no puedo más", "llama al número de emergencias de tu país", "líneas gratuitas"),
    ],
)
async def test_without_a_country_the_emergency_and_the_helpline_finder_are_in_their_language(
    make_app, text, emergency, helpline
):
    # No community or default country: the lines fall back to findahelpline.com, written in English in the
    # directory; a person in danger must still read what to call in their own language, first.
    app = make_app()
    reply = await app.pipeline.handle(message(app, text))
    assert reply.level is Level.IMMINENT
    assert emergency in reply.text.split("\n\n")[0], "the emergency number first, in their words"
    assert helpline in reply.text and "findahelpline.com" in reply.text
    assert "your local emergency number" not in reply.text and "free, confidential lines" not in reply.text


@pytest.mark.parametrize(
    ("crisis", "no", "yes"),
    [("ik wil er niet meer zijn", "nee", "ja"), ("nie chcę już żyć", "nie", "tak"), ("voglio morire", "no", "sì")],
)
def test_the_answer_to_the_direct_question_is_understood_in_dutch_polish_and_italian(crisis, no, yes):
    from bot.crisis.service import _NO, _YES

    normalise = Detector(load_lexicon(default_prompts_dir() / "crisis")).normalise
    assert _NO.match(normalise(no)) and not _YES.match(normalise(no))
    assert _YES.match(normalise(yes)) and not _NO.match(normalise(yes))
    # "nie daję rady" (I can't cope) and French "ne me laisse pas" begin like a no and are not one.
    assert not _NO.match(normalise("nie daję rady")) and not _NO.match(normalise("ne me laisse pas"))


async def test_a_button_press_without_a_kept_language_follows_the_platforms_locale(make_app):
    # E.g. Redis lost the conversation's note, or /resources is the first thing they use: Discord says the
    # person's client is in Polish.
    app = make_app(default_country="NL")
    polish = await app.pipeline.handle(message(app, "/resources", locale="pl"))
    brazilian = await app.pipeline.handle(message(app, "/resources", locale="pt-BR", user="bob"))
    british = await app.pipeline.handle(message(app, "/resources", locale="en-GB", user="carol"))
    assert polish.text.startswith("Nie musisz przechodzić przez to w pojedynkę") and "zadzwoń pod 113" in polish.text
    assert brazilian.text.startswith("Você não precisa")
    assert british.text.startswith("You don't have to go through this alone")


def test_every_replies_file_has_every_key_english_has():
    # The loader checks the texts the code asks for; this checks the files themselves against English, so a
    # key added to en.yaml (a new label, a new category) cannot be forgotten in another language.
    import yaml

    def keys(data, prefix=""):
        found = set()
        for key, value in data.items():
            found.add(f"{prefix}{key}")
            if isinstance(value, dict):
                found |= keys(value, f"{prefix}{key}.")
        return found

    english = keys(yaml.safe_load((REPLIES / "en.yaml").read_text(encoding="utf-8")))
    others = sorted(path for path in REPLIES.glob("*.yaml") if path.stem != "en")
    assert {path.stem for path in others} >= {"es", "fr", "de", "pt", "it", "nl", "pl"}
    for path in others:
        held = keys(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert english - held == set(), f"{path.name} lacks {sorted(english - held)}"
        assert held - english == set(), f"{path.name} has keys English does not: {sorted(held - english)}"


# Near a crisis, outside the crisis reply: the answer to a "no", to "I was joking", and first contact.


async def test_a_spanish_no_to_the_direct_question_is_answered_in_spanish_without_an_llm(make_app):
    app = make_app(default_country="ES")
    asked = await app.pipeline.handle(message(app, "ya no puedo más"))
    assert asked.kind == "check_in" and "¿Estás pensando en el suicidio" in asked.text
    answer = await app.pipeline.handle(message(app, "no"))
    # The direct question said Hearth is an automated bot: no greeting after it, the thanks comes first.
    assert answer.text.startswith("Gracias por responderme con sinceridad") and "Hola, soy Hearth" not in answer.text
    assert "Aquí no puedo conversar libremente" in answer.text and "/resources" in answer.text
    assert "Thank you" not in answer.text and "I can't chat" not in answer.text
    assert [action.label for action in answer.actions] == ["Ver líneas de ayuda"]
    assert answer.language == "es"


async def test_a_german_war_nur_ein_witz_after_a_crisis_reply_gets_the_german_correction(make_app):
    app = make_app(default_country="DE")
    crisis = await app.pipeline.handle(message(app, "ich will nicht mehr leben"))
    assert crisis.kind == "crisis" and crisis.language == "de"
    answer = await app.pipeline.handle(message(app, "war nur ein Witz"))
    # The crisis reply said Hearth is an automated bot: no greeting after it.
    assert answer.text.startswith("Danke, dass du es mir sagst, und entschuldige, falls ich dich falsch verstanden")
    assert "Hallo, ich bin Hearth" not in answer.text
    assert "Frei chatten kann ich hier nicht" in answer.text
    assert "sorry if I read you wrong" not in answer.text and answer.kind != "crisis"
    assert answer.actions, "the crisis lines stay one press away"


@pytest.mark.parametrize(
    ("crisis", "answer", "language"),
    [
        ("quiero morir, ya no puedo más", "jajaja ok", "es"),
        ("quiero morir, ya no puedo más", "jajaja si", "es"),
        ("ich will nicht mehr leben", "ja ja ja", "de"),
        ("ik wil dood, ik kan niet meer", "ja ja ja", "nl"),
    ],
)
async def test_laughter_or_one_word_said_again_after_a_crisis_keeps_the_crisis_language(
    make_app, crisis, answer, language
):
    # "jajaja" and a repeated "ja" read as Polish to the model ("ja" is Polish for "I"), sure enough to decide:
    # the follow-up to a Spanish, German or Dutch crisis came in Polish. Laughter says no language, and a word
    # said three times is still one word.
    app = make_app()
    assert (await app.pipeline.handle(message(app, crisis))).language == language
    reply = await app.pipeline.handle(message(app, answer))
    followed = reply.text
    assert "jestem Hearth" not in followed and "Nie musisz" not in followed and "Jestem" not in followed
    assert app.crisis.phrasebook.language_of(followed) == language  # Hearth's own words, in the crisis's language


@pytest.mark.parametrize(
    ("crisis", "correction", "thanks"),
    [
        ("quiero morir", "No, solo era broma jaja", "perdona si te entendí mal"),
        ("je veux mourir", "c'était une blague", "désolé si je t'ai mal compris"),
        ("não aguento mais, quero morrer", "era brincadeira kkk", "desculpe se eu entendi errado"),
        ("voglio morire", "stavo scherzando", "scusa se ti ho frainteso"),
        ("ik wil dood", "was maar een grapje", "sorry als ik je verkeerd begreep"),
        ("chcę umrzeć", "żartowałam xD", "przepraszam, jeśli źle cię zrozumiałem"),
    ],
)
async def test_i_was_joking_is_understood_in_every_language_and_answered_in_it(make_app, crisis, correction, thanks):
    app = make_app()
    assert (await app.pipeline.handle(message(app, crisis))).kind == "crisis"
    answer = await app.pipeline.handle(message(app, correction))
    assert thanks in answer.text


# "Sorry if I read you wrong", as each language's correction reply says it.
MISREAD = (
    "read you wrong", "te entendí mal", "t'ai mal compris", "falsch verstanden habe", "eu entendi errado",
    "ti ho frainteso", "je verkeerd begreep", "źle cię zrozumiałem",
)  # fmt: skip


@pytest.mark.parametrize(
    ("crisis", "meant"),
    [
        ("quiero morir", "no era broma"),
        ("quiero morir", "no estoy bien"),
        ("i want to die", "no im not ok"),
        ("chcę umrzeć", "nie żartowałem"),
        ("ich will nicht mehr leben", "das war kein Witz"),
        ("não aguento mais, quero morrer", "não era brincadeira"),
    ],
)
async def test_saying_it_was_meant_or_not_being_ok_is_never_thanked_as_a_correction(make_app, crisis, meant):
    # "No era broma" (it was not a joke) begins with "no", like "no, era broma": thanking them for putting
    # Hearth right would tell a person in crisis they were misread.
    app = make_app()
    await app.pipeline.handle(message(app, crisis))
    answer = await app.pipeline.handle(message(app, meant))
    assert not any(thanks in answer.text for thanks in MISREAD), answer.text


async def test_a_french_speaker_is_asked_for_consent_in_french(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url)
    first = await app.pipeline.handle(
        message(app, "Bonjour, j'ai une question sur mon travail et je ne sais pas quoi faire")
    )
    assert first.text.startswith("Salut, je suis Hearth, un bot automatique de soutien entre pairs")
    assert "Avant qu'on parle : tes messages sont envoyés à un modèle de langage" in first.text
    assert [action.label for action in first.actions] == ["J'ai compris, parlons"]
    assert "Before we talk" not in first.text and "I'm Hearth" not in first.text
    assert fake_llm.requests == [], "nothing reaches the language model before consent"


async def test_the_consent_question_follows_the_platforms_locale_when_the_words_do_not_say(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url)
    first = await app.pipeline.handle(message(app, "hi", locale="pl"))
    assert first.text.startswith("Cześć, jestem Hearth, automatyczny bot")
    assert "wpisz /consent" in first.text and first.language == "pl"


def test_a_language_file_missing_a_text_near_the_crisis_path_stops_start_up_naming_it(tmp_path):
    folder = tmp_path / "replies"
    shutil.copytree(REPLIES, folder)
    french = folder / "fr.yaml"
    french.write_text(french.read_text(encoding="utf-8").replace("safety_no:", "safety_non:"), encoding="utf-8")
    with pytest.raises(CrisisDataError, match=r"fr\.yaml: text 'safety_no' is missing"):
        load_phrasebook(folder, shared_languages())


def test_a_broken_correction_pattern_stops_start_up_naming_the_file(tmp_path):
    folder = tmp_path / "replies"
    shutil.copytree(REPLIES, folder)
    italian = folder / "it.yaml"
    text = italian.read_text(encoding="utf-8").replace("    - 'scherzando'", "    - 'scherz(ando'")
    italian.write_text(text, encoding="utf-8")
    with pytest.raises(CrisisDataError, match=r"it\.yaml: 'corrections' is not a valid pattern"):
        load_phrasebook(folder, shared_languages())


def test_every_language_keeps_what_the_english_near_crisis_texts_say():
    # Each says Hearth is an automated bot where the English does, and none promises secrecy.
    book = load_phrasebook(REPLIES, shared_languages())
    bot_words = {
        "en": "automated", "es": "automático", "fr": "automatique", "de": "automatischer",
        "pt": "automático", "it": "automatico", "nl": "automatische", "pl": "automatyczny",
    }  # fmt: skip
    for language, texts in book.by_language.items():
        assert bot_words[language] in texts.say("disclaimer", privacy="-"), language
        assert "/consent" in texts.say("consent_needed") and "/resources" in texts.say("safety_no_offer")
        assert "{privacy}" in texts.fixed["disclaimer"] and "{context_minutes}" in texts.fixed["privacy"]
        assert "/mydata" in texts.fixed["privacy"] and "/forget" in texts.fixed["privacy"], language
        assert len(texts.fixed["safety_no_offer"]) < 1.5 * len(book("en").fixed["safety_no_offer"]), language


# The crisis reply worded for what it is about: the emergency line, reaching a person, a means question.


@pytest.mark.parametrize(
    ("text", "country", "first", "self_harm"),
    [
        ("i'm going to kill my brother tonight, i have a knife", "US", "If someone could get hurt", "hurt yourself"),
        ("voy a matar a mi hermano esta noche", "ES", "Si alguien podría salir herido", "hecho daño"),
    ],
)
async def test_an_imminent_threat_to_someone_else_is_answered_as_one(make_app, text, country, first, self_harm):
    app = make_app(default_country=country)
    reply = await app.pipeline.handle(message(app, text))
    assert reply.level is Level.IMMINENT
    assert reply.text.startswith(first) and self_harm not in reply.text
    lines = await app.pipeline.handle(message(app, "", action=ACTION_RESOURCES))
    assert lines.text.startswith(first) and self_harm not in lines.text


async def test_a_spanish_abuse_reply_does_not_say_feelings_can_change(make_app):
    app = make_app(default_country="ES")
    reply = await app.pipeline.handle(message(app, "mi padre me pega todas las noches y tengo miedo"))
    assert reply.kind == "crisis" and reply.language == "es"
    assert "pueden cambiar" not in reply.text and "sentimientos" not in reply.text.lower()
    assert "con quien sea seguro hablar" in reply.text


def test_every_language_words_the_emergency_line_and_reaching_a_person_for_the_category():
    book = load_phrasebook(REPLIES, shared_languages())
    for language, texts in book.by_language.items():
        default = texts.say("imminent_first", emergency="112")
        for category in (Category.ABUSE, Category.HARM_TO_OTHERS, Category.PSYCHOSIS, Category.MEDICAL):
            worded = texts.say_for("imminent_first", [category], emergency="112")
            assert "112" in worded and worded != default, (language, category)
        for category in (Category.ABUSE, Category.HARM_TO_OTHERS, Category.MEDICAL):
            assert texts.say_for("reach_person", [category]) != texts.say("reach_person"), (language, category)
        # Suicide and self-harm keep the default; the most pressing category that has its own wording leads.
        assert texts.say_for("reach_person", [Category.SELF_HARM, Category.SUICIDE]) == texts.say("reach_person")
        assert texts.say_for("reach_person", [Category.MEDICAL, Category.SUICIDE]) == texts.say_for(
            "reach_person", [Category.MEDICAL]
        )
        # The means line fits inside the crisis reply: shorter than the reply to a means question alone.
        assert len(texts.say("method_in_crisis")) < len(texts.say("method_declined")) / 2, language


@pytest.mark.parametrize(
    ("renamed", "error"),
    [
        (None, r"es\.yaml: text 'imminent_first\.harm_to_others' is missing"),
        ("harm_to_other", r"es\.yaml: text 'imminent_first' has unknown key\(s\) harm_to_other"),
    ],
)
def test_a_language_file_missing_or_misspelling_a_categorys_wording_stops_start_up(tmp_path, renamed, error):
    folder = tmp_path / "replies"
    shutil.copytree(REPLIES, folder)
    spanish = folder / "es.yaml"
    lines = spanish.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index("imminent_first:\n") + 1
    at += next(n for n, line in enumerate(lines[at:]) if line.startswith("  harm_to_others:"))
    lines[at : at + 2] = [] if renamed is None else [f"  {renamed}: |-\n", lines[at + 1]]
    spanish.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(CrisisDataError, match=error):
        load_phrasebook(folder, shared_languages())


# What works without an LLM, and /country's answers, right after a crisis reply: in the person's language.


async def test_a_spanish_speaker_after_a_crisis_reply_without_an_llm_reads_spanish(make_app):
    app = make_app(default_country="ES")
    assert (await app.pipeline.handle(message(app, "quiero morir, ya no puedo más"))).language == "es"
    after = await app.pipeline.handle(message(app, "ok"))
    assert after.kind == "no_llm" and "llama al 024" in after.text
    assert "Aquí no está activada la conversación libre" in after.text
    assert "Free conversation" not in after.text and "Try /breathe" not in after.text


async def test_country_answers_after_a_spanish_crisis_are_in_spanish(make_app):
    app = make_app(default_country="ES")
    await app.pipeline.handle(message(app, "quiero morir, ya no puedo más"))
    chosen = await app.pipeline.handle(message(app, "/country mx"))
    assert chosen.text.startswith("Hecho: a partir de ahora, líneas de ayuda para MX") and "800 911 2000" in chosen.text
    unlisted = await app.pipeline.handle(message(app, "/country GR"))
    assert "Todavía no tengo líneas de ayuda propias para GR" in unlisted.text
    looked_up = await app.pipeline.handle(message(app, "/resources ar"))
    assert looked_up.text.startswith("Todavía no tengo líneas de ayuda propias para AR")
    cleared = await app.pipeline.handle(message(app, "/country clear"))
    assert cleared.text.startswith("Hecho: he borrado tu elección") and "llama al 024" in cleared.text
    for reply in (chosen, unlisted, looked_up, cleared):
        assert "Done:" not in reply.text and "of my own" not in reply.text


async def test_a_made_up_country_after_a_spanish_crisis_is_refused_in_spanish_and_the_choice_kept(make_app):
    app = make_app(default_country="ES")
    await app.pipeline.handle(message(app, "quiero morir, ya no puedo más"))
    await app.pipeline.handle(message(app, "/country mx"))
    refused = await app.pipeline.handle(message(app, "/country zz"))
    assert refused.text.startswith("ZZ no es un código de país") and "No he cambiado nada" in refused.text
    assert "Tu país elegido: MX" in refused.text and "/country España o /country ES" in refused.text
    assert "not a country code" not in refused.text and "Nothing was changed" not in refused.text
    assert "Your chosen country" not in refused.text
    named = await app.pipeline.handle(message(app, "/country narnia"))
    assert named.text.startswith("No conozco ningún país llamado «narnia»") and "Tu país elegido: MX" in named.text
    kept = await app.pipeline.handle(message(app, "/resources"))
    assert "800 911 2000" in kept.text, "the earlier choice (MX) still gives its lines"
    spain = await app.pipeline.handle(message(app, "/country españa"))  # a name, in Spanish, is a country
    assert "024" in spain.text and "Tu país elegido: ES" in (await app.pipeline.handle(message(app, "/country"))).text


async def test_a_busy_llm_after_a_german_crisis_answers_in_german_under_the_crisis_lines(make_app, fake_llm):
    # One LLM slot, no queue: while someone else's reply holds the slot, the next message is told Hearth is busy.
    app = make_app(
        openai_base_url=fake_llm.base_url,
        consent_required=False,
        default_country="DE",
        llm_max_concurrency=1,
        llm_queue_size=0,
    )
    crisis = await app.pipeline.handle(message(app, "ich will nicht mehr leben"))
    assert crisis.kind == "crisis" and crisis.language == "de"
    fake_llm.push(Script(text="a", delay=2))
    other = asyncio.create_task(app.pipeline.handle(message(app, "hi", user="bob", conversation="dm-2")))
    while not fake_llm.requests and not other.done():
        await asyncio.sleep(0.01)
    busy = await app.pipeline.handle(message(app, "ok"))
    await other
    assert busy.kind == "busy" and "ruf 0800 111 0 111" in busy.text
    assert busy.text.index("ruf 0800 111 0 111") < busy.text.index("Gerade reden sehr viele Menschen mit mir")
    assert "A lot of people" not in busy.text and "/resources" in busy.text


async def test_a_french_oui_to_the_consent_question_is_accepted_and_answered_in_french(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url)
    await app.pipeline.handle(message(app, "Bonjour, j'ai une question sur mon travail et je ne sais pas quoi faire"))
    agreed = await app.pipeline.handle(message(app, "Oui !"))
    assert agreed.kind == "consent" and agreed.text.startswith("Merci. Je suis là pour t'écouter")
    assert agreed.language == "fr" and "Thank you" not in agreed.text
    answered = await app.pipeline.handle(message(app, "merci, alors voilà"))
    assert answered.kind == "llm" and len(fake_llm.requests) == 1


@pytest.mark.parametrize(
    ("yes", "no", "declined"),
    [
        ("sí", "no gracias", "No pasa nada: nada de lo que escribas"),
        ("ja, gerne", "nein", "Das ist in Ordnung: Nichts, was du schreibst"),
        ("tak", "nie", "W porządku: nic, co piszesz"),
    ],
)
async def test_the_consent_words_of_each_language_are_understood_and_answered_in_it(
    make_app, fake_llm, yes, no, declined
):
    app = make_app(openai_base_url=fake_llm.base_url)
    await app.pipeline.handle(message(app, "hello"))
    refused = await app.pipeline.handle(message(app, no))
    assert refused.text.startswith(declined) and refused.kind == "disclaimer"
    agreed = await app.pipeline.handle(message(app, yes))
    assert agreed.kind == "consent" and fake_llm.requests == []


def test_no_consent_word_means_yes_in_one_language_and_no_in_another():
    book = load_phrasebook(REPLIES, shared_languages())
    words = ["yes", "no", "ok", "si", "sí", "sì", "oui", "non", "ja", "nein", "nee", "sim", "não", "tak", "nie", "no"]
    for word in words:
        said = {book.consent.answer(word, language) for language in book.by_language}
        assert len(said - {None}) <= 1, (word, said)
    assert book.consent.answer("no", "pl") is not True, "Polish 'no' (yeah) is left to English, a no"


def test_every_language_says_the_texts_it_now_holds_without_secrecy_and_as_short_as_english():
    book = load_phrasebook(REPLIES, shared_languages())
    english = book("en")
    moved = (
        "llm_busy", "no_llm_after_exercise", "country_help", "country_unknown_name", "country_unknown", "country_kept",
        "consent_given", "consent_declined",
    )  # fmt: skip
    for language, texts in book.by_language.items():
        for key in moved:
            assert len(texts.fixed[key]) < 1.5 * len(english.fixed[key]) + 10, (language, key)
        assert "/resources" in texts.say("llm_busy") and "/consent" in texts.say("consent_declined"), language
        assert "{code}" in texts.fixed["country_unknown"], language
        assert "{current}" in texts.fixed["country_help"] and "{shown}" in texts.fixed["country_help"], language
        said = " ".join(texts.fixed[key] for key in moved).lower()
        assert not any(word in said for word in SECRET), language


# "Secret", in each language: none of these texts may promise it (SAFETY.md rule 6).
SECRET = ("secret", "secreto", "geheim", "segredo", "segreto", "tajemnic", "confidential")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # harm to others: a threat is urgent, with a time imminent; a condition or laughter makes it concern
        ("voy a matar a mi hermano esta noche", Level.IMMINENT),
        ("te mato si te comes mi pizza", Level.CONCERN),
        ("je vais tuer mon voisin ce soir", Level.IMMINENT),
        ("je vais tuer mon frère, il a fini les céréales", Level.CONCERN),
        ("je vais le tuer lol", Level.CONCERN),
        ("ich bring ihn um, ich mein das ernst", Level.URGENT),
        ("ich bring ihn um, wenn er wieder zu spät kommt", Level.CONCERN),
        ("vou matar meu padrasto amanhã", Level.IMMINENT),
        ("vou te matar se comer minha pizza kkkk", Level.CONCERN),
        ("lo ammazzo stanotte", Level.IMMINENT),
        ("ti ammazzo se mangi la mia pizza", Level.CONCERN),
        ("vanavond ga ik hem vermoorden", Level.IMMINENT),
        ("ik vermoord je als je mijn frietjes opeet", Level.CONCERN),
        ("zabiję go nożem", Level.URGENT),
        ("zabiję cię jak zjesz moją pizzę", Level.CONCERN),
        ("no voy a matar a nadie", Level.NONE),
        ("voy a matar el tiempo", Level.NONE),
        # abuse in Italian, Dutch and Polish
        ("mio padre mi picchia", Level.URGENT),
        ("mi tocca lavorare domani", Level.NONE),
        ("hij slaat me", Level.URGENT),
        ("hij slaat me over in de rij", Level.NONE),
        ("on mnie bije", Level.URGENT),
        ("bije mnie w szachy", Level.NONE),
        # goodbye behaviour: what one will not need once dead
        ("ich verschenke meine sachen, ich brauch sie eh nicht mehr, wenn ich tot bin", Level.URGENT),
        ("wenn ich tot bin, will ich verbrannt werden", Level.NONE),
        ("non ne avrò più bisogno quando sarò morta", Level.URGENT),
        ("quando sarò morta voglio essere cremata", Level.NONE),
        ("ik heb het toch niet meer nodig als ik dood ben", Level.URGENT),
        ("als ik dood ben wil ik gecremeerd worden", Level.NONE),
        ("nie będę tego potrzebować jak umrę", Level.URGENT),
        ("jak umrę, chcę być skremowany", Level.NONE),
    ],
)
def test_threats_abuse_and_farewells_in_seven_languages(detector, text, level):
    assert detector.detect(text).level is level


@pytest.mark.parametrize(
    ("crisis", "look_alike", "category"),
    [
        # Self-harm said in the past tense, as an infinitive or "again": recent is urgent; a haircut, a kitchen
        # accident or "years ago" is not.
        ("me volví a cortar anoche", "me corté el pelo", Category.SELF_HARM),
        ("me quemé otra vez con el encendedor", "me corté el dedo cocinando", Category.SELF_HARM),
        ("je me suis encore scarifiée hier soir", "je me suis coupé en cuisinant", Category.SELF_HARM),
        ("je me suis coupée cette nuit", "je me suis coupée quand j'étais ado", Category.SELF_HARM),
        ("hab mich gestern wieder geritzt", "ich hab mich beim Kochen geschnitten", Category.SELF_HARM),
        ("ich habe angefangen, mich zu ritzen", "ich habe mich früher geritzt", Category.SELF_HARM),
        ("me cortei de novo ontem", "me cortei fazendo a barba", Category.SELF_HARM),
        ("voltei a magoar-me", "me queimei com a chapinha", Category.SELF_HARM),
        (
            "mi sono fatta di nuovo del male ieri sera",
            "mi sono tagliata col coltello mentre cucinavo",
            Category.SELF_HARM,
        ),
        ("mi sono tagliata di nuovo", "mi sono tagliata anni fa", Category.SELF_HARM),
        ("ik heb mezelf gisteren weer gesneden", "ik heb mezelf gesneden bij het koken", Category.SELF_HARM),
        ("ik wil mezelf weer snijden", "ik heb mezelf jaren geleden gesneden", Category.SELF_HARM),
        ("pocięłam się wczoraj", "pocięłam się przy krojeniu chleba", Category.SELF_HARM),
        ("chcę się pociąć", "pocięłam się lata temu", Category.SELF_HARM),
        ("me he cortado otra vez", "se me cortó la llamada", Category.SELF_HARM),
        # Someone threatens to kill the person: abuse, urgent. Over being late, cake or with a laugh: the idiom.
        ("dice que me va a matar", "mi mamá dice que me va a matar si llego tarde", Category.ABUSE),
        ("me amenazó con matarme si me voy", "dice que me va a matar de risa", Category.ABUSE),
        ("il a dit qu'il allait me tuer", "il dit qu'il va me tuer si je mange sa part de gâteau lol", Category.ABUSE),
        ("il menace de me tuer", "le médecin dit que ça va me tuer", Category.ABUSE),
        ("er droht mich umzubringen", "er sagt, die Arbeit bringt mich um", Category.ABUSE),
        ("er bringt mich um, wenn ich gehe", "meine Mutter bringt mich um, wenn sie mein Zimmer sieht", Category.ABUSE),
        ("ele disse que vai me matar", "minha mãe disse que vai me matar se eu chegar tarde kkkk", Category.ABUSE),
        ("ha detto che mi ammazza", "mia sorella dice che mi ammazza se tocco i suoi vestiti", Category.ABUSE),
        ("hij dreigt me te vermoorden", "mijn zus zegt dat ze me vermoordt als ik haar trui leen haha", Category.ABUSE),
        ("grozi, że mnie zabije", "mama mówi, że mnie zabije jak zobaczy oceny", Category.ABUSE),
    ],
)
def test_past_self_harm_and_reported_threats_in_other_languages_are_told_apart_from_look_alikes(
    detector, crisis, look_alike, category
):
    found = detector.detect(crisis)
    assert found.level.at_least(Level.URGENT) and category in found.categories
    assert not detector.detect(look_alike).level.at_least(Level.URGENT)


@pytest.mark.parametrize(
    ("overdose", "routine"),
    [
        ("me tomé todas mis pastillas", "me tomé mis pastillas para el dolor de cabeza"),
        ("j'ai pris toute la boîte de doliprane", "j'ai pris mes cachets ce matin"),
        ("ich habe alle meine Tabletten genommen", "ich habe meine Tabletten genommen"),
        ("ho preso tutte le pillole", "ho preso le pillole per il mal di testa"),
        ("ik heb al mijn pillen genomen", "ik heb mijn pillen genomen voor de hoofdpijn"),
        ("wzięłam wszystkie tabletki", "wzięłam tabletki na ból głowy"),
    ],
)
def test_an_overdose_is_a_medical_emergency_and_the_daily_pills_are_not(detector, overdose, routine):
    # An imminent verdict alerts the moderators: "I took my pills" is the morning routine, "all of them" is not.
    found = detector.detect(overdose)
    assert found.level is Level.IMMINENT and Category.MEDICAL in found.categories
    assert detector.detect(routine).level is Level.NONE


@pytest.mark.parametrize(
    "taken",
    [
        "i took my pills", "I took my meds.", "ich habe meine Tabletten genommen", "j'ai pris mes cachets ce matin",
        "me tomé mis pastillas", "tomei os meus comprimidos", "ho preso le mie pillole", "ik heb mijn pillen genomen",
        "wzięłam tabletki",
    ],
)  # fmt: skip
def test_i_took_my_pills_and_nothing_more_is_at_most_asked_about_in_any_language(taken):
    # The learned screen made most of these imminent (p 0.6 to 0.98), which alerts the moderators. The rules'
    # reading holds: at most a direct question about how many.
    folder = default_prompts_dir() / "crisis"
    judge = Judge(Detector(load_lexicon(folder)), load_classifier(folder / "classifier.json"))
    assert not judge(taken).level.at_least(Level.URGENT), taken


@pytest.mark.parametrize(
    "overdose",
    [
        "i took my pills. all of them", "i took my whole prescription", "took my entire supply of sleeping pills",
        "tomei todos os meus comprimidos", "j'ai pris toutes mes pilules",
    ],
)  # fmt: skip
def test_how_many_makes_it_an_overdose_whatever_the_sentence_it_is_told_in(detector, overdose):
    assert detector.detect(overdose).level is Level.IMMINENT, overdose


@pytest.mark.parametrize("breathless", ["non riesco a respirare", "ik krijg geen lucht", "nie mogę oddychać"])
def test_not_being_able_to_breathe_is_a_medical_emergency_in_italian_dutch_and_polish(detector, breathless):
    assert detector.detect(breathless).level is Level.IMMINENT


@pytest.mark.parametrize(
    ("negated", "meant"),
    [
        ("pero no quiero hacerme daño, solo estoy cansada", "quiero hacerme daño"),
        ("non voglio farmi del male", "voglio farmi del male"),
    ],
)
def test_a_verb_that_carries_its_person_is_negated_by_the_word_before_it(detector, negated, meant):
    # "no quiero" is "I don't want": the negation comes before the verb, not between "I" and it as in English.
    assert not detector.detect(negated).level.at_least(Level.URGENT)
    assert detector.detect(meant).level.at_least(Level.URGENT)


@pytest.mark.parametrize(
    "idiom",
    ["me quiero morir de la vergüenza, le mandé el meme a mi profe", "vou me matar de rir se ele errar o pênalti"],
)
def test_dying_of_embarrassment_and_laughing_oneself_to_death_are_idioms_with_an_article_too(detector, idiom):
    assert detector.detect(idiom).level is Level.NONE


@pytest.mark.parametrize(
    "recovered",
    ["3 ans sans me scarifier aujourd'hui. je voulais le dire à quelqu'un", "faz dois anos que parei de me cortar"],
)
def test_years_without_self_harm_are_not_self_harm(detector, recovered):
    assert not detector.detect(recovered).level.at_least(Level.URGENT)


@pytest.fixture(scope="module")
def judge():
    folder = default_prompts_dir() / "crisis"
    return Judge(Detector(load_lexicon(folder)), load_classifier(folder / "classifier.json"))


@pytest.mark.parametrize(
    ("text", "told"),
    [
        ("las voces me dicen que me corte la mano", Category.SELF_HARM),
        ("les voix me disent de me jeter sous le métro", Category.SUICIDE),
        ("die Stimmen sagen mir, ich soll meinem Bruder wehtun", Category.HARM_TO_OTHERS),
        ("as vozes mandam eu machucar minha irmã", Category.HARM_TO_OTHERS),
        ("le voci mi dicono di uccidermi", Category.SUICIDE),
        ("de stemmen zeggen dat ik moet springen", Category.SUICIDE),
        ("głosy każą mi się zabić", Category.SUICIDE),
    ],
)
def test_voices_commanding_harm_are_read_as_psychosis_in_every_language_with_what_they_ask(judge, text, told):
    # Named psychosis, the reply speaks to hearing voices; and what they ask for (oneself or someone else) is
    # kept, for the reply and for the moderators' summary.
    verdict = judge(text)
    assert verdict.detection.level.at_least(Level.URGENT)
    assert {Category.PSYCHOSIS, told} <= verdict.categories


@pytest.mark.parametrize(
    "text",
    ["la voz del gps me dice que gire a la derecha", "mi jefe me dice que me tire un rato a descansar"],
)
def test_a_voice_that_is_not_a_command_to_harm_is_not_psychosis(detector, text):
    assert Category.PSYCHOSIS not in detector.detect(text).categories


class _BrokenIdentifier:
    """Stands in for py3langid's identifier when it fails on a message."""

    labels = ("en", "es", "fr", "de", "pt", "it", "nl", "pl")

    def set_languages(self, languages):
        pass

    def rank(self, text):
        raise MemoryError


async def test_when_the_language_model_fails_a_crisis_still_gets_its_reply_in_the_markers_language(make_app):
    # A third party failing on one message must not stop the crisis reply, nor drop its language.
    from bot.crisis.language import LanguageModel

    app = make_app(default_country="ES", languages=LanguageModel(_BrokenIdentifier.labels, _BrokenIdentifier()))
    reply = await app.pipeline.handle(message(app, "quiero morir, ya no puedo más"))
    assert reply.kind == "crisis" and reply.language == "es" and "llama al 024" in reply.text


class _CountingIdentifier(_BrokenIdentifier):
    """Stands in for py3langid's identifier, counting what it is asked to read."""

    def __init__(self):
        self.read = 0

    def rank(self, text):
        self.read += 1
        return [("es", 0.9), ("pt", 0.1)]


def test_the_language_model_reads_a_message_once_and_keeps_no_text_of_it():
    # Its memory of readings is process memory that /forget cannot reach: it must hold no one's words.
    import pickle

    from bot.crisis.language import LanguageModel

    identifier = _CountingIdentifier()
    model = LanguageModel(identifier.labels, identifier)
    words = "no puedo más con esta vida, quiero desaparecer"
    assert model.probabilities(words) == model.probabilities(words) == {"es": 0.9, "pt": 0.1}
    assert identifier.read == 1
    held = pickle.dumps({name: value for name, value in vars(model).items() if value is not identifier})
    assert b"desaparecer" not in held and "desaparecer".encode("utf-16-le") not in held
