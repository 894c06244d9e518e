"""The detector on its own: obfuscation, context words, idioms, and the CI gate on the labelled sets."""

import re
import shutil
from pathlib import Path

import pytest

from bot.config import default_prompts_dir
from bot.crisis.detector import Detector, _spans
from bot.crisis.evaluate import evaluate, parse_rows
from bot.crisis.lexicon import SHIFTED, UNSHIFTED, CrisisDataError, load_lexicon
from bot.models import Category, Level
from bot.prompts import PromptError

DATA = Path(__file__).resolve().parents[1] / "data" / "crisis"
FOLDER = default_prompts_dir() / "crisis"


@pytest.fixture(scope="module")
def detector():
    return Detector(load_lexicon(FOLDER))


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself",
        "i wanna die",
        "im gonna k1ll mysellf",
        "k i l l  m y s e l f",
        "s u i c i d a l, i'm so suicidal",
        "i want to ki\u200bll myself",
        "i want to kіll myself",  # Cyrillic і
        "I WANT TO DIEEEE",
        "kms",
        "thinking about unaliving myself",
        "im suicidal",
        "i dont want to live anymore",
        "everyone would be better off without me",
        "i wish i could sleep and never wake up",
        "this is my last message, goodbye",
    ],
)
def test_direct_and_disguised_suicidal_statements_are_urgent(detector, text):
    result = detector.detect(text)
    assert result.level.at_least(Level.URGENT)
    assert Category.SUICIDE in result.categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("i cut myself again last night", Category.SELF_HARM),
        ("relapsed on sh", Category.SELF_HARM),
        ("relapsed on s/h last night", Category.SELF_HARM),  # the slash is spelled, not spaced letters
        ("i did my self harm again tonight", Category.SELF_HARM),  # "my self harm" is not "myself harm"
        ("my dad hits me", Category.ABUSE),
        ("im going to shoot up the school", Category.HARM_TO_OTHERS),
        ("the voices tell me to hurt myself", Category.PSYCHOSIS),
        ("quiero morir", Category.SUICIDE),
        ("je veux mourir", Category.SUICIDE),
        ("ich will sterben", Category.SUICIDE),
        ("quero morrer", Category.SUICIDE),
    ],
)
def test_every_category_and_language_is_caught(detector, text, category):
    result = detector.detect(text)
    assert result.level.at_least(Level.URGENT) and category in result.categories


@pytest.mark.parametrize(
    "text", ["i took 30 pills", "i can't breathe", "im going to kill myself tonight", "i have the pills ready"]
)
def test_a_plan_an_attempt_or_a_medical_emergency_is_imminent(detector, text):
    assert detector.detect(text).level is Level.IMMINENT


@pytest.mark.parametrize(
    "text",
    [
        "this commute is killing me",
        "I'm dead 😂",
        "kill the process",
        "dying to see it",
        "could murder a pizza",
        "my mom is going to kill me when she sees my grades",
        "signs a friend may be suicidal",
        "my dog died",
        "i would never kill myself",
        "i'm not suicidal",
        "she beat me at chess",
        "me muero de risa",
        "!@#$%^&*()!?",
        "what?!",
    ],
)
def test_idioms_topic_talk_grief_and_negation_are_not_urgent(detector, text):
    assert not detector.detect(text).level.at_least(Level.URGENT)


@pytest.mark.parametrize(
    ("hyperbole", "meant", "level"),
    [
        ("if i fail this chem exam im literally going to die", "if i fail again i want to die", Level.URGENT),
        ("if we lose tonight im going to die", "if we lose tonight i will kill myself", Level.URGENT),
        ("rip me, cant breathe", "help i cant breathe", Level.IMMINENT),
        ("im dead cant breathe", "rip me, i cant breathe and my lips are going blue", Level.IMMINENT),
        # A small annoyance as the cause is hyperbole, unless despair is said too.
        (
            "kms the photocopier ate my handout again",
            "kms, the photocopier broke and i cant do this anymore",
            Level.URGENT,
        ),
        (
            "i want to die, the microwave beeps at 3am",
            "i want to die. i missed the bus again and nobody cares",
            Level.URGENT,
        ),
    ],
)
def test_exam_hyperbole_and_laughing_cant_breathe_are_not_urgent_but_the_meant_words_are(
    detector, hyperbole, meant, level
):
    assert not detector.detect(hyperbole).level.at_least(Level.URGENT)
    assert detector.detect(meant).level.at_least(level)


@pytest.mark.parametrize(
    ("written", "level", "category"),
    [
        ("i keep wanting to 🔪 my arms again", Level.URGENT, Category.SELF_HARM),
        ("got the 🪢 ready for tonight", Level.IMMINENT, Category.SUICIDE),
        ("swallowed all my 💊💊💊 just now", Level.IMMINENT, Category.MEDICAL),
    ],
)
def test_an_emoji_written_for_the_word_is_read_as_the_word(detector, written, level, category):
    found = detector.detect(written)
    assert found.level.at_least(level) and category in found.categories
    # The same emoji in ordinary talk is ordinary talk.
    assert not detector.detect("sharpened my 🔪 for the roast tonight").level.at_least(Level.CONCERN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sui.cide is the only way out", "suicide is the only way out"),
        ("i want to ki-ll my_self", "i want to kil myself"),
        ("e.g. the u.s. at 2.5 km", "e . g . the you . s . at 2 . 5 km"),
        ("so tired.i want to sleep", "tired . i want to slep"),
        ("see example.com and self-harm week", "se example . com and self harm wek"),
    ],
)
def test_punctuation_inside_a_word_is_joined_only_when_it_hides_a_known_word(detector, text, expected):
    assert detector.normalise(text) == expected


def test_third_person_is_concern_not_urgent(detector):
    assert detector.detect("my friend says she wants to die").level is Level.CONCERN


def test_a_method_question_alone_is_concern_and_with_distress_urgent(detector):
    alone = detector.detect("what bridges are taller than 25 meters in nyc")
    assert alone.level is Level.CONCERN and alone.method_question
    both = detector.detect("I just lost my job. What are the bridges taller than 25 meters in NYC?")
    assert both.level is Level.URGENT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i'm going to suicide this weekend", Level.IMMINENT),
        ("honestly i just want to sewer slide", Level.URGENT),
        ("we're going to suicide prevention training on monday", Level.NONE),
        ("i might suicide squad rewatch tonight", Level.NONE),
    ],
)
def test_suicide_used_as_a_verb_is_read_as_intent_but_not_the_nouns_it_heads(detector, text, expected):
    assert detector.detect(text).level is expected


def test_a_lethal_dose_question_with_weariness_of_pain_or_of_help_is_urgent(detector):
    assert detector.detect("how much ibuprofen is a lethal dose").level is Level.CONCERN
    assert detector.detect("how much ibuprofen is a lethal dose? so sick of the pain").level.at_least(Level.URGENT)
    made_up = detector.detect("i made up my mind about sunday")
    assert made_up.level is Level.CONCERN
    hopeless = detector.detect("i dont see the point in talking to anyone. i made up my mind about sunday")
    assert hopeless.level is Level.IMMINENT


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("got some rope at the hardware store, dont ask why", True),
        ("ordered a bottle of pesticide online. not for the garden, before anyone asks", True),
        ("got some rope at the store for the tent", False),
        ("bought a new rope for climbing at the gym", False),
    ],
)
def test_getting_a_means_and_heading_off_why_is_urgent(detector, text, urgent):
    assert detector.detect(text).level.at_least(Level.URGENT) is urgent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Errands: an imminent verdict alerts the moderators, so these must not be one.
        ("finally got my meds today, the pharmacy was so slow", Level.NONE),
        ("bought rope for the climbing gym today", Level.CONCERN),
        # The same possession beside distress, or with what it is for, is a plan.
        ("i cant do this anymore. i have the pills here", Level.IMMINENT),
        ("got the rope today to end it", Level.IMMINENT),
    ],
)
def test_means_with_only_a_time_or_place_is_a_plan_only_beside_distress(detector, text, expected):
    assert detector.detect(text).level is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("they laughed at my talk today. theyll see.", Level.CONCERN),
        ("im going to make the whole team at work pay for this. theyll see", Level.URGENT),
        ("theyll see what i can do at the tournament", Level.NONE),
        ("you'll see, i'm going to win the tournament", Level.NONE),
    ],
)
def test_a_veiled_threat_closing_a_sentence_is_concern_and_beside_a_grievance_urgent(detector, text, expected):
    result = detector.detect(text)
    assert result.level is expected
    assert expected is Level.NONE or Category.HARM_TO_OTHERS in result.categories


def test_every_rule_that_fires_on_the_sets_is_found_through_its_triggers(detector):
    # A rule whose triggers miss a word its patterns need would silently never fire, and a pattern that is only
    # right because its triggers hide it is wrong. Checked on every labelled set, the training sets too.
    for path in sorted(DATA.rglob("*.tsv")):
        for row in parse_rows(path.read_text(encoding="utf-8").splitlines()):
            text = detector.normalise(row.text)
            fast, full = detector.detect_normalised(text), detector.detect_normalised(text, all_rules=True)
            assert fast.level == full.level, row.text


def _rows(name):
    return parse_rows((DATA / name).read_text(encoding="utf-8").splitlines())


def test_the_evaluation_sets_are_large_varied_and_labelled():
    rows = [row for path in DATA.glob("*.tsv") for row in parse_rows(path.read_text(encoding="utf-8").splitlines())]
    assert len(rows) >= 400
    assert sum(not row.crisis for row in rows) >= 150
    assert {c.value for c in Category} <= {c for row in rows if row.crisis for c in row.categories}


def test_ci_gate_recall_and_false_positive_rate_on_the_development_set(detector):
    report = evaluate(_rows("dev.tsv"), lambda text: detector.detect(text).level)
    assert report.overall.recall >= 0.95, [row.text for row in report.misses]
    assert report.overall.fpr <= 0.03, [row.text for row in report.false_alarms]


def test_the_held_out_set_does_not_regress(detector):
    # Never tuned on: this bound guards against regressions; the figure itself is reported in the README, "Safety".
    report = evaluate(_rows("heldout.tsv"), lambda text: detector.detect(text).level)
    assert report.overall.recall >= 0.8
    assert report.overall.fpr <= 0.03


@pytest.fixture
def data_copy(tmp_path):
    folder = tmp_path / "crisis"
    shutil.copytree(FOLDER, folder)
    return folder


def _rule(**fields):
    body = {"id": "x", "category": "suicide", "level": "urgent", "triggers": "a", "patterns": ["a"], **fields}
    return (
        "rules:\n  - " + "\n    ".join(f"{key}: {value!r}" for key, value in body.items() if value is not None) + "\n"
    )


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda f: (f / "patterns" / "en.yaml").write_text("rules: [unclosed\n"), "not valid YAML"),
        (lambda f: (f / "patterns" / "zz.yaml").write_text(_rule(patterns=["(unclosed"])), "bad pattern"),
        (lambda f: (f / "patterns" / "zz.yaml").write_text("benign: ['(?:oh )?']\n"), "can match nothing"),
        (lambda f: (f / "patterns" / "zz.yaml").write_text(_rule(category="sadness")), "bad category"),
        (lambda f: (f / "patterns" / "zz.yaml").write_text(_rule(triggers=None)), "needs patterns and triggers"),
        (lambda f: (f / "normalise.yaml").unlink(), "missing"),
    ],
)
def test_a_malformed_crisis_file_is_a_start_up_error_naming_it(data_copy, damage, expected):
    damage(data_copy)
    with pytest.raises(CrisisDataError, match=expected) as caught:
        load_lexicon(data_copy)
    assert str(data_copy) in str(caught.value)
    assert isinstance(caught.value, PromptError)  # so `python -m bot` reports it as one line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('the lyrics go "i don\'t want to live forever"', Level.NONE),
        ('i keep hearing "i want to die" in my head and i mean it', Level.URGENT),
        ("i think my dog is going to die soon", Level.CONCERN),  # about someone else: never urgent
        ("my arms are covered in cuts", Level.URGENT),
        ("ich kann nicht mehr, ich will sterben", Level.URGENT),
        ("i dont know how to stop cutting", Level.URGENT),
        ("imgonnakillmyself", Level.URGENT),
        ("i want to k*ll myself", Level.URGENT),
        # A recovery milestone is history, not an act today...
        ("i've been clean from self harm for two years today", Level.CONCERN),
        ("free from self harm for 3 months now", Level.CONCERN),
        # ...but the streak that just ended dates a relapse, and "but tonight" ends the history.
        ("i cut myself today after being clean for a year", Level.IMMINENT),
        ("i've been clean for a year but tonight i grabbed the blade again", Level.IMMINENT),
        ("relapsed today after 2 years clean from self harm", Level.IMMINENT),
        # Giving one's things to someone (SAFETY.md: giving possessions away) is ambiguous: concern alone, and
        # what makes it urgent is earlier distress in the conversation (tests/crisis/test_conversations.py).
        ("gave my roommate my laptop and my bike today", Level.CONCERN),
        ("giving my cousin all my games, he should have them", Level.CONCERN),
        # Lending, fixing or a birthday present is not that.
        ("gave my brother my ps5 to borrow for the weekend", Level.NONE),
        ("i gave my sister my old jacket", Level.NONE),
        # Hopelessness is a sign to ask gently about (SAFETY.md), whichever way it is said; a pointless meeting is not.
        ("I dont see the point of anything anymore", Level.CONCERN),
        ("there is no point to anything", Level.CONCERN),
        ("i dont see the point of this meeting", Level.NONE),
        ("I feel like nothing will ever get better", Level.CONCERN),
        ("no one cares about me", Level.CONCERN),
        ("nothing will change until the council acts", Level.NONE),
    ],
)
def test_the_context_words_are_read_the_way_a_person_would(detector, text, expected):
    assert detector.detect(text).level is expected


def test_an_adversarial_flood_is_still_screened(detector):
    assert detector.detect("kms " * 5000).level is Level.URGENT
    assert detector.detect("k i l l " * 2500).level is Level.NONE


def test_no_rule_is_triggered_by_the_commonest_words():
    # A rule triggered by "i" or "the" would run on every message: the speed budget depends on this.
    lexicon = load_lexicon(FOLDER)
    common = {"i", "im", "the", "a", "to", "is", "in", "it", "and", "of", "me", "my", "you", "do", "be", "so", "no"}
    assert not common & set(lexicon.exact)


@pytest.mark.parametrize(
    ("hyperbole", "meant"),
    [
        # A snack that ran out, a gadget, traffic, a show: hyperbole, a careful answer (concern), never nothing...
        (
            "the canteen ran out of cookies, I want to die",
            "my exams went badly and I want to die, there's no point anymore",
        ),
        ("ugh i want to die, the dining hall ran out of the good cookies again", "i ate a whole pizza, i want to die"),
        ("kms the queue at the post office", "kms the queue at the post office, nobody cares if im gone"),
        (
            "this loading screen never ends, i want to die",
            "this loading screen never ends and i want to die, i hate my life",
        ),
        (
            "me quiero morir, se acabaron las galletas buenas",
            "me quiero morir, se acabaron las galletas y ya no puedo más",
        ),
        # ...unless despair is said anywhere else in the message, before the annoyance or after it...
        (
            "the printer jammed again, i want to kill myself",
            "i cant go on anymore. i want to die. the wifi is down too",
        ),
        # ...or a time, a plan or the means: those are never lowered.
        (
            "the printer jammed again, i want to kill myself",
            "the printer jammed again, i want to kill myself, i have the pills",
        ),
        ("kms the wifi is down", "kms tonight the wifi is down"),
        # Running out of what one needs is not a small annoyance.
        ("ran out of coffee and i want to die", "ran out of my meds and i want to die"),
        ("ran out of coffee and i want to die", "we ran out of money and i want to die"),
        # A belonging borrowed or taken is a small annoyance; a car and the children are not.
        ("my sister stole my hoodie AGAIN im gonna kill her", "he stole my car and my kids, im going to kill him"),
    ],
)
def test_a_small_annoyance_as_the_cause_is_concern_but_despair_a_time_or_the_means_keep_it_urgent(
    detector, hyperbole, meant
):
    assert detector.detect(hyperbole).level is Level.CONCERN
    assert detector.detect(meant).level.at_least(Level.URGENT)


def test_a_small_annoyance_far_from_the_words_is_not_their_cause(detector):
    long_day = (
        "so today was the usual. got up late, sat through a meeting where nobody said my name once. came home, fed "
        "the cat and watched the same show as every night. i keep thinking i want to die and that nobody would notice"
    )
    assert detector.detect(f"did the dishes. {long_day}").level.at_least(Level.URGENT)


@pytest.mark.parametrize(
    ("reported", "own"),
    [
        # Someone else's words, or a work's: concern (Hearth asks gently), never nothing...
        ("she said i want to kill myself and laughed", "i told her i want to kill myself"),
        ("the character says i'll kill myself in the last scene", "i feel like i'll kill myself"),
        ("in the song he sings i want to die", "i called my mom and said i want to die"),
        ("my coworker said 'i won't be around much longer to deal with this'", "i won't be around much longer"),
        ("the lyrics go i want to die", "i want to die"),
        ("elle a dit je veux mourir", "je veux mourir"),
        # ...unless the message is earnest or names a time (a friend's crisis happening now is urgent too).
        ("my friend said i want to die", "my friend said i want to die, i cant do this anymore"),
        ("she said i want to kill myself", "she said i want to kill myself tonight"),
        # A voice or one's own mind is not someone else.
        ("she says i should kill myself", "my mind says i should kill myself"),
        ("she says i should kill myself", "the voices say i should kill myself"),
    ],
)
def test_words_reported_from_someone_else_are_concern_but_the_persons_own_stay_urgent(detector, reported, own):
    assert detector.detect(reported).level is Level.CONCERN
    assert detector.detect(own).level.at_least(Level.URGENT)


@pytest.mark.parametrize(
    ("proud", "meant"),
    [
        ("2 yrs s/h free today, proud of myself", "im going to off myself today"),
        ("my A1C came back at 6.1! so proud of myself", "i want to off myself"),
        ("sick of myself for eating all the cake", "im scared of myself tonight"),
        ("took care of myself today", "i just want to get rid of myself"),
    ],
)
def test_proud_of_myself_is_not_off_myself(detector, proud, meant):
    # Doubled letters are collapsed, so "off myself" is written "of myself": only after a verb of intent is it one.
    assert not detector.detect(proud).level.at_least(Level.URGENT)
    assert detector.detect(meant).level.at_least(Level.URGENT)


def test_self_loathing_is_a_sign_of_distress_not_a_crisis_on_its_own(detector):
    assert detector.detect("im so sick of myself").level is Level.CONCERN
    assert detector.detect("so ashamed of myself").level is Level.CONCERN
    assert detector.detect("sick of myself for oversleeping again").level is Level.NONE


SHIFT_TEXTS = [
    "i want to kill myself",
    "kill myself",
    ". kill myself . kill myself",
    "non voglio morire . voglio morire",
    "x.kill myself, (kill myself) kill myselfkill myself",
    "  kill   myself  ",
    "i cant do this anymore i want to die i want to die tonight " * 3,
]


@pytest.mark.parametrize("text", SHIFT_TEXTS)
def test_a_shifted_rule_matches_where_its_unshifted_pattern_does(detector, text):
    """A rule searched as `\\W...` in the text with a space in front finds the spans `(?<!\\w)...` finds."""
    for rule in detector._lexicon.rules:
        # Only a rule anchored at the start ("(?:^|[.!?] )will sterben") needs its pattern as written.
        assert rule.shifted or "^" in rule.regex.pattern, rule.id
        if not rule.shifted:
            continue
        unshifted = re.compile(UNSHIFTED + rule.regex.pattern[len(SHIFTED) :])
        expected = [match.span() for match in unshifted.finditer(text)]
        assert list(_spans(rule, text, f" {text}", 0)) == expected, rule.id


def test_a_rule_whose_patterns_could_see_the_added_space_is_not_shifted(tmp_path):
    shutil.copytree(FOLDER, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "patterns" / "en.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "rules:\n",
            "rules:\n  - id: anchored\n    category: suicide\n"
            "    level: urgent\n    triggers: qxv\n    patterns: ['^qxv', '(?<=\\s)qxv']\n",
            1,
        ),
        encoding="utf-8",
    )
    lexicon = load_lexicon(tmp_path)
    assert not next(rule for rule in lexicon.rules if rule.id == "anchored").shifted
    assert Detector(lexicon).detect_normalised("qxv").level is Level.URGENT  # found at the start, unshifted


@pytest.mark.parametrize(
    "milestone",
    ["1 year clean from s/h today!!! proud of myself ngl", "3 months clean from sh, today was rough but i didnt do it"],
)
def test_a_clean_streak_is_a_milestone_not_an_act_and_alerts_no_one(detector, milestone):
    # "self harm today" made the first imminent: the emergency number first and the moderators paged.
    found = detector.detect(milestone)
    assert found.level is Level.CONCERN and Category.SELF_HARM in found.categories


def test_what_undid_a_clean_streak_is_still_a_relapse(detector):
    assert detector.detect("relapsed after 2 years clean from self harm, blood everywhere").level.at_least(Level.URGENT)


@pytest.mark.parametrize(
    ("abuse", "game"),
    [
        ("my husband beat me again last night", "my brother beat me again at chess"),
        ("he beat me again", "she beat me again in mario kart lol"),
        ("my dad hits me when hes drunk", "it hits me when i see old photos"),
    ],
)
def test_beaten_again_is_abuse_unless_it_was_a_game(detector, abuse, game):
    # "beat me again" and "hits me when" were masked as idioms whoever did it, so the rules never named the abuse.
    found = detector.detect(abuse)
    assert found.level.at_least(Level.URGENT) and Category.ABUSE in found.categories
    assert detector.detect(game).level is Level.NONE


@pytest.mark.parametrize(
    ("meant", "idiom"),
    [
        ("i want to die for real", "this cake is to die for"),
        ("i burnt myself with the iron on purpose", "burned myself with the iron, ouch"),
        (
            "i'm going to burn myself on the stove tonight, already decided",
            "burned myself on the stove making pasta lol",
        ),
        (
            "gonna kill myself if one more thing goes wrong. not even kidding. last straw",
            "i will walk into the sea if i have to sit through this meeting",
        ),
    ],
)
def test_an_idiom_mask_does_not_hide_what_is_meant(detector, meant, idiom):
    # "to die for", an accident with the iron and a trivial "if" were masked even when the message said otherwise.
    assert detector.detect(meant).level.at_least(Level.URGENT)
    assert not detector.detect(idiom).level.at_least(Level.URGENT)


@pytest.mark.parametrize(
    ("text", "categories"),
    [
        # A weapon or "kill yourself" beside the person's own suicide is about themself.
        ("i bought a gun to kill myself", {Category.SUICIDE}),
        ("painless ways to kill yourself", {Category.SUICIDE}),
        # A threat in words of its own stays one.
        ("i want to die and i could kill him for what he did", {Category.SUICIDE, Category.HARM_TO_OTHERS}),
    ],
)
def test_a_weapon_beside_ones_own_suicide_is_not_read_as_a_threat_to_others(detector, text, categories):
    assert set(detector.detect(text).categories) == categories


@pytest.mark.parametrize(
    ("text", "level", "categories"),
    [
        # Someone else's weapon at the person's head is an attack on them, happening now: not their suicide.
        ("he put a gun to my head", Level.IMMINENT, {Category.ABUSE}),
        ("my boyfriend has a gun pointed at me", Level.IMMINENT, {Category.ABUSE}),
        ("my dad put a gun to my head last night and said hed do it", Level.IMMINENT, {Category.ABUSE}),
        # Their own is theirs.
        ("im holding a knife to my wrist", Level.IMMINENT, {Category.SELF_HARM, Category.SUICIDE}),
        # Being choked or hit by someone now.
        ("hes choking me", Level.URGENT, {Category.ABUSE}),
        ("he's strangling me", Level.URGENT, {Category.ABUSE}),
        ("my coworker keeps touching me", Level.URGENT, {Category.ABUSE}),
        # Ties, smoke and memories also choke and hit; they are not someone hurting the person.
        ("this tie is choking me", Level.NONE, set()),
        ("reality is hitting me hard", Level.NONE, set()),
    ],
)
def test_someone_else_hurting_the_person_is_abuse_and_things_that_hurt_are_not(detector, text, level, categories):
    found = detector.detect(text)
    assert found.level is level and set(found.categories) == categories


@pytest.mark.parametrize(
    ("text", "level", "categories"),
    [
        # A wish not to wake up is passive ideation, not someone unconscious: no "tell someone what you took".
        ("every night i pray i won't wake up", Level.URGENT, {Category.SUICIDE}),
        ("i hope i wont wake up tomorrow", Level.URGENT, {Category.SUICIDE}),
        ("my mom wont wake up", Level.IMMINENT, {Category.MEDICAL}),
        # Staying put is not lying still.
        ("no im not moving, im staying here", Level.NONE, set()),
        ("he collapsed and isnt moving", Level.IMMINENT, {Category.MEDICAL}),
    ],
)
def test_not_waking_up_or_not_moving_is_a_medical_emergency_only_of_someone_now(detector, text, level, categories):
    found = detector.detect(text)
    assert found.level is level and set(found.categories) == categories


@pytest.mark.parametrize(
    ("text", "emergency"),
    [
        # Dread at a thought is not a medical emergency, and must not alert the moderators.
        ("results day tmrw and i literally cannot breathe thinking about it", False),
        ("i cant breathe when i think about going back to the office", False),
        ("not moving from this couch all weekend", False),
        ("i cant breathe and my chest hurts", True),
        ("she's not moving and her lips are blue", True),
    ],
)
def test_cant_breathe_at_a_thought_or_not_moving_from_the_couch_is_no_medical_emergency(detector, text, emergency):
    found = detector.detect(text)
    assert (found.level is Level.IMMINENT and Category.MEDICAL in found.categories) is emergency


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("i fully understand the world is going to be fine without me and honestly it makes this easier", True),
        ("honestly everyone is gonna be better off without me", True),
        ("my kids are going to be fine without me this weekend, they're at their dad's", False),
        ("the team is going to be fine without me while i'm on holiday", False),
    ],
)
def test_the_world_going_on_without_me_is_passive_ideation_but_a_weekend_away_is_not(detector, text, urgent):
    assert detector.detect(text).level.at_least(Level.URGENT) is urgent


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("q for the bio nerds: whats a way to not wake up. like painless. asking as trivia", True),
        ("is there a way to never wake up", True),
        ("whats a good way to wake up earlier", False),
    ],
)
def test_asking_for_a_way_not_to_wake_up_is_a_method_question_whatever_reason_is_given(detector, text, urgent):
    assert detector.detect(text).level.at_least(Level.URGENT) is urgent
