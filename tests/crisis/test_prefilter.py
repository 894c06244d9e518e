"""The pattern prefilter: searching only the patterns a message could match must change no verdict.

If `required_text` claimed a piece that some match lacks, a crisis message would silently skip the rule that
names it; these tests check the claim on random patterns and texts, and the rules' first matches and the idioms'
masking against what `re` finds with the whole alternations, on every labelled message.
"""

import random
import re
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.config import default_prompts_dir
from bot.crisis.detector import Detector
from bot.crisis.evaluate import parse_rows
from bot.crisis.lexicon import SHIFTED, UNSHIFTED, load_lexicon
from bot.crisis.prefilter import PatternIndex, required_text

DATA = Path(__file__).resolve().parents[1] / "data" / "crisis"
FOLDER = default_prompts_dir() / "crisis"


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(FOLDER)


@pytest.fixture(scope="module")
def messages(lexicon):
    """Every labelled message of the sets that may be read, normalised as the detector sees it."""
    paths = [*sorted((DATA / "train").glob("*.tsv")), DATA / "dev.tsv", *sorted(DATA.glob("unseen_*.tsv"))]
    rows = [row for path in paths for row in parse_rows(path.read_text(encoding="utf-8").splitlines())]
    return [lexicon.normalise(row.text) for row in rows]


@pytest.mark.parametrize(
    ("pattern", "pieces"),
    [
        ("want to (?:die|kill myself)", {"want to die", "want to kill myself"}),
        ("kill(?:ing)? (?:my)?self", {"kill myself", "kill self", "killing myself", "killing self"}),
        ("over ?dos[ei]", {"overdose", "overdosi", "over dose", "over dosi"}),
        ("(?:he|she) (?:\\w+ ){0,2}?(?:hits|beats) me", {"hits me", "beats me"}),
        ("(?:so |very )*tired of (?:\\w+ )?living", {"tired of "}),
        ("\\w+ pills", {" pills"}),
        ("(?i:kill) myself", {" myself"}),  # only "kill" is read in any case
    ],
)
def test_the_text_a_pattern_requires_is_read_off_it(pattern, pieces):
    assert required_text(pattern) == pieces


@pytest.mark.parametrize("pattern", ["(?:i|im) \\w+", "(?i)kill myself", "(?i:kill myself)", "x?y", "\\w+"])
def test_a_pattern_with_no_certain_text_is_always_searched(pattern):
    """Nothing literal of three letters is certain in these, or its case is ignored."""
    assert required_text(pattern) is None


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    """A small pattern over the letters a, b, c and space, with the constructs the crisis patterns use."""
    parts = []
    for _ in range(rng.randint(1, 4)):
        kinds = ["lit", "lit", "lit", "class", "alt", "opt", "star", "plus", "range", "word", "look", "bound"]
        kind = rng.choice(kinds) if depth <= 2 else "lit"
        if kind == "lit":
            parts.append("".join(rng.choice("ab ") for _ in range(rng.randint(1, 4))))
        elif kind == "class":
            parts.append(rng.choice(["[ab]", "[ab ]", "[^a]", "[a-b]"]))
        elif kind == "alt":
            parts.append("(?:" + "|".join(_random_pattern(rng, depth + 1) for _ in range(rng.randint(2, 3))) + ")")
        elif kind in ("opt", "star", "plus", "range"):
            suffix = {"opt": "?", "star": "*", "plus": "+", "range": rng.choice(["{0,2}", "{1,2}", "{2}", "{1,3}?"])}
            # A repeat of a literal or of a small alternation: repeats inside repeats take exponential time.
            body = (
                _random_pattern(rng, 3)
                if rng.random() < 0.5
                else f"{_random_pattern(rng, 3)}|{_random_pattern(rng, 3)}"
            )
            parts.append(f"(?:{body}){suffix[kind]}")
        elif kind == "word":
            parts.append(rng.choice(["\\w+ ", "\\w*", "\\W"]))
        elif kind == "look":
            parts.append(rng.choice(["(?=a)", "(?!b)", "(?<=a)", "(?<!c)"]))
        else:
            parts.append(rng.choice(["\\b", "\\B"]))
    return "".join(parts)


def test_every_match_of_a_random_pattern_holds_one_of_the_pieces_it_requires():
    rng = random.Random(20261205)
    checked = 0
    for _ in range(6000):
        pattern = _random_pattern(rng)
        pieces = required_text(pattern)
        if pieces is None:
            continue
        compiled = re.compile(pattern)
        for _ in range(40):
            text = "".join(rng.choice("ab ") for _ in range(rng.randint(0, 28)))
            for match in compiled.finditer(text):
                checked += 1
                assert any(piece in match[0] for piece in pieces), (pattern, text, match[0], pieces)
    assert checked > 5000  # the check saw enough matches to mean something


def test_a_random_alternation_first_matches_and_masks_where_re_does():
    rng = random.Random(7)
    for _ in range(400):
        sources = [_random_pattern(rng) for _ in range(rng.randint(1, 5))]
        whole = "|".join(f"(?:{source})" for source in sources)
        if re.fullmatch(whole, "") is not None or any(re.compile(source).search("") for source in sources):
            continue  # an empty match would be refused as an idiom
        index = PatternIndex([(sources, UNSHIFTED, "", re.compile(UNSHIFTED + f"(?:{whole})"))])
        idioms = PatternIndex([(sources, "", "", re.compile(whole))])
        for _ in range(20):
            text = "".join(rng.choice("abc  ") for _ in range(rng.randint(0, 30)))
            found = re.search(UNSHIFTED + f"(?:{whole})", text)
            assert index.first_starts([0], text, [False]) == ({0: found.start()} if found else {}), (sources, text)
            if not any(match[0] == "" for match in re.finditer(whole, text)):
                assert idioms.sub(0, "~", text) == re.sub(whole, "~", text), (sources, text)


def test_each_rule_first_matches_where_its_whole_alternation_does(lexicon, messages):
    """On every labelled message, for the rules it could start and, on a sample, for every rule."""
    detector = Detector(lexicon)
    shifted = [rule.shifted for rule in lexicon.rules]
    everything = range(len(lexicon.rules))
    for number, text in enumerate(messages):
        rules = everything if number % 10 == 0 else detector._candidates(text)
        expected = {}
        for index in rules:
            rule = lexicon.rules[index]
            if found := rule.regex.search(f" {text}" if rule.shifted else text):
                expected[index] = found.start()
        assert lexicon.index.first_starts(rules, text, shifted) == expected, text


def test_the_idioms_are_masked_as_their_whole_alternation_masks_them(lexicon, messages):
    idioms = lexicon.benign.alternation(0)
    masked = 0
    for text in messages:
        expected = idioms.sub(" ~ ", text)
        assert lexicon.benign.sub(0, " ~ ", text) == expected, text
        masked += expected != text
    assert masked > 100  # the labelled sets hold plenty of idioms


def test_a_pattern_that_compiles_only_beside_the_others_is_searched_with_them():
    """`c\\1` refers to the group of `(a)b`: alone it is no pattern, so the whole alternation is searched."""
    index = PatternIndex([(["(a)b", "c\\1"], "", "", re.compile("(?:(a)b)|(?:c\\1)"))])
    assert index.first_starts([0], "zz ab", [False]) == {0: 3}
    assert index.first_starts([0], "zz", [False]) == {}


def test_shifted_and_unshifted_rules_start_where_the_rule_regex_says(lexicon):
    index = PatternIndex(
        [
            (["kill myself"], SHIFTED, "(?!\\w)", re.compile(SHIFTED + "(?:kill myself)(?!\\w)")),
            (["kill myself"], UNSHIFTED, "(?!\\w)", re.compile(UNSHIFTED + "(?:kill myself)(?!\\w)")),
        ]
    )
    # In " i want to kill myself" the shifted rule's match starts at the space before "kill".
    assert index.first_starts([0, 1], "i want to kill myself", [True, False]) == {0: 10, 1: 10}
    assert index.first_starts([0, 1], "skill myself", [True, False]) == {}


def test_a_long_message_full_of_idioms_is_masked_at_once(lexicon):
    """The screen reads up to 20,000 characters and blocks the event loop while it does, so masking must stay
    linear: each idiom is searched again only where the last replacement passed its next match. Searching every
    possible idiom from each replacement on took about ten seconds of CPU here (`re.sub` takes milliseconds)."""
    idioms = (
        "this commute is killing me. kill the process. we nailed it. dying of laughter. the deadline. a serial "
        "killer. my phone is dead. suicide squad. scared to death. hurt my back. cut my hair. hit me up. shoot me "
        "a text. died in the game. die hard. i could kill for a pizza. kill two birds. beat me at chess. edge of "
        "my seat. rather die than eat that. over my dead body. poured myself a drink. "
    )
    text = lexicon.normalise(idioms + "im dead lol " * 1650)
    assert len(text) > 20_000
    started = time.process_time()
    masked = lexicon.benign.sub(0, " ~ ", text)
    assert time.process_time() - started < 1.0
    assert masked == lexicon.benign.alternation(0).sub(" ~ ", text)


def test_a_back_reference_counts_the_groups_of_the_patterns_before_it():
    """Beside `(a)b`, the `\\1` of `(c)\\1` is `(a)`'s group, which never matched where a `c` did, so the whole
    alternation cannot match "cc"; alone, `(c)\\1` repeats its own group and matches it."""
    sources = ["(a)b", "(c)\\1"]
    whole = "|".join(f"(?:{source})" for source in sources)
    assert re.search(whole, "zz cc") is None
    index = PatternIndex([(sources, "", "", re.compile(whole))])
    assert index.first_starts([0], "zz cc", [False]) == {}
    assert index.first_starts([0], "zz ab", [False]) == {0: 3}
    idioms = PatternIndex([(sources, "", "", re.compile(whole))])
    assert idioms.sub(0, "~", "cc ab") == re.sub(whole, "~", "cc ab") == "cc ~"


def test_patterns_compiled_on_another_thread_meanwhile_change_no_first_match():
    """The bot compiles every pattern on a thread at start-up (`Detector.prepare`) while messages are already
    judged; the thread adds to the automaton while messages are searched with it, which must never meet."""
    words = [f"w{number:04d}x" for number in range(3000)]
    alternations = [([word], "", "", re.compile(f"(?:{word})")) for word in words]
    index = PatternIndex(alternations)
    text = " ".join(words[::3])
    asked = range(0, 60, 3)  # a message needs a few rules, and builds those itself
    expected = {number: text.index(words[number]) for number in asked}
    compiling = threading.Thread(target=index.build_all)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # the two threads take turns as often as they can, so a race would show
    try:
        compiling.start()
        judged = []
        while compiling.is_alive():
            judged.append(index.first_starts(asked, text, [False] * len(words)))
        compiling.join()
    finally:
        sys.setswitchinterval(interval)
    assert judged and all(found == expected for found in judged)
    assert index.unbuilt == 0


def test_prepare_compiles_every_rule_and_the_idioms(lexicon):
    detector = Detector(load_lexicon(FOLDER))  # a fresh one: nothing compiled yet
    assert detector.uncompiled == len(lexicon.rules) + 1
    detector.prepare()
    assert detector.uncompiled == 0
