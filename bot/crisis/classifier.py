"""The learned screen: a linear model over words, word stems and their pairs, for crisis wording no rule names.

The rules (`prompts/crisis/patterns/`) are reviewable and precise, but they catch what their authors thought
of; on sets written by other people they missed half or more of the crisis messages. This model, trained on
the labelled sets (`scripts/train_crisis_classifier.py`), generalises further but is less precise. It can only
raise what the rules decided, in steps chosen by cross-validation when it was trained:
- above `ask_threshold`, Hearth asks directly and gently (SAFETY.md rule 7), and a "yes" makes it urgent;
- above `urgent_threshold`, the message is urgent.
For a message it makes urgent, smaller heads (trained on crisis rows only) say what kind of crisis it is, so
the reply speaks to abuse or a medical emergency rather than to suicide alone, and whether it is imminent, so
the emergency number comes first.

Why stems and word pairs rather than letter groups: letter groups learned the style of whoever wrote a set;
stems ("overd", "pills", "bridg") and pairs of them, two or three words apart too ("wont ... ticket"), carry
meaning across wordings and across the inflections of Spanish, French, German and Portuguese, and scored
better on every set held out from training.

The model is data (`prompts/crisis/classifier.json`): feature → weight, a bias and thresholds per head.
Scoring is pure Python, a dictionary lookup per feature, with no numerical library at run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from pathlib import Path
from typing import Any

from bot.crisis.lexicon import CrisisDataError
from bot.models import Category, Level

_PUNCTUATION = frozenset(".?!~")
_STEM = 5  # letters kept of a word for its stem
_SHORT_STEM = 4
_MAX_WORDS = 400  # a chat message's opening says enough; a flood must not cost more
# A message counts as having at least this many features when scaled: "sorry" or "me again" alone must not
# weigh as much as a whole sentence, or every short greeting that shares a word with a farewell is a crisis.
MIN_EVIDENCE = 50
IMMINENT = "imminent"
HEADS = (IMMINENT, *(category.value for category in Category))


def words_of(normalised: str) -> list[str]:
    return [word for word in normalised.split() if word not in _PUNCTUATION][:_MAX_WORDS]


def features(normalised: str) -> list[str]:
    """The distinct features of a message: words, word pairs, stems of longer words (five and four letters),
    pairs of stems side by side (where they differ from the word pair), and pairs two and three words apart.
    Training and scoring both use exactly this; each feature counts once."""
    words = words_of(normalised)
    found = {f"w:{word}" for word in words}
    add = found.add
    # One pass: `word` and `stem` are this word's, `before`, `stem1`, `stem2`, `stem3` the ones 1, 2, 3 back.
    before = stem1 = stem2 = stem3 = ""
    for position, word in enumerate(words):
        stem = word[:_STEM]
        if len(word) > _SHORT_STEM:
            add(f"o:{word[:_SHORT_STEM]}")
            if len(word) > _STEM:
                add(f"p:{stem}")
        if position:
            add(f"b:{before} {word}")
            # A pair of stems only where a stem differs from its word: for two short words it would be the
            # word pair again, and a feature counted twice escapes half its regularisation ("this time"
            # weighed +5.3).
            if stem1 != before or stem != word:
                add(f"q:{stem1} {stem}")
            if position >= 2:  # and with the stems two and three words before it
                add(f"s:{stem2} {stem}")
                if position >= 3:
                    add(f"s:{stem3} {stem}")
        before, stem1, stem2, stem3 = word, stem, stem1, stem2
    return list(found)


def scale(count: int) -> float:
    """What a message's summed weights are divided by (training uses the same)."""
    return math.sqrt(max(count, MIN_EVIDENCE))


@dataclass(frozen=True, slots=True)
class Head:
    """One logistic model over `features`, scaled by 1/sqrt(how many features the message has, at least
    MIN_EVIDENCE)."""

    weights: Mapping[str, float]
    bias: float
    threshold: float

    def probability(self, found: list[str]) -> float:
        if not found:
            return 0.0
        return self.probability_of(self.total(found), len(found))

    def total(self, found: list[str]) -> float:
        """The summed weights of these features (a feature the head does not weigh adds 0.0)."""
        return sum(map(self.weights.get, found, repeat(0.0)))

    def probability_of(self, total: float, count: int) -> float:
        """The probability for `total`, the summed weights of a message's `count` features."""
        return 1.0 / (1.0 + math.exp(-(total / scale(count) + self.bias)))


@dataclass(frozen=True, slots=True)
class LearnedVerdict:
    level: Level  # NONE, CONCERN (ask directly), URGENT or IMMINENT
    categories: frozenset[Category] = frozenset()


NOT_SEEN = LearnedVerdict(Level.NONE)


@dataclass(frozen=True)
class Classifier:
    crisis: Head  # crisis or not; its threshold is where a message becomes urgent
    ask_threshold: float
    # Below this the screen doubts a rule's "urgent" so strongly (fiction, role-play, a bare question) that
    # Hearth asks directly instead; 0 never doubts. Chosen so that almost no crisis the rules catch is lowered.
    doubt_threshold: float = 0.0
    # "imminent" and each category's name → its head; a model without them still raises to urgent.
    heads: Mapping[str, Head] = field(default_factory=dict)
    # The same as `doubt_threshold` for a rule's "imminent" (which alerts the moderators), far lower: almost no
    # imminent crisis the rules catch scores below it, but "I overdosed on coffee today" does.
    imminent_doubt_threshold: float = 0.0

    @cached_property
    def _head_weights(self) -> dict[str, tuple[float, ...]]:
        """Every feature any head weighs → its weight in each head, in the order of `heads` (0.0 where a head
        does not weigh it): a message's features are looked up once for all heads, in one table. Built when a
        message first needs the heads (tens of milliseconds), not at start-up."""
        weighed = list(frozenset().union(*(head.weights for head in self.heads.values())))
        columns = [map(head.weights.get, weighed, repeat(0.0)) for head in self.heads.values()]
        return dict(zip(weighed, zip(*columns, strict=True), strict=True))

    @property
    def urgent_threshold(self) -> float:
        return self.crisis.threshold

    def probability(self, normalised: str) -> float:
        """How likely the message is a crisis, 0..1."""
        return self.crisis.probability(features(normalised))

    def level(self, normalised: str) -> Level:
        """URGENT, CONCERN (ask directly) or NONE: the crisis head alone."""
        return self._level(self.probability(normalised))

    def _level(self, probability: float) -> Level:
        if probability >= self.crisis.threshold:
            return Level.URGENT
        return Level.CONCERN if probability >= self.ask_threshold else Level.NONE

    def verdict(self, normalised: str) -> LearnedVerdict:
        """The level, and for a crisis what kind (the categories whose heads pass, else the likeliest one)
        and whether it is imminent."""
        found = features(normalised)
        return self.verdict_of(found, self.crisis.probability(found))

    def verdict_of(self, found: list[str], probability: float) -> LearnedVerdict:
        level = self._level(probability)
        if level is not Level.URGENT or not self.heads:
            return LearnedVerdict(level)
        probabilities = self.head_probabilities(found)
        return LearnedVerdict(self._imminence(probabilities.get(IMMINENT, 0.0)), self._kinds(probabilities))

    def head_probabilities(self, found: list[str]) -> dict[str, float]:
        """Every head's probability: what `Head.probability` gives. Each head's weights are summed in the order
        of `found`, as `Head.total` sums them, with the features no head weighs left out and a 0.0 for those
        only other heads weigh (adding 0.0 changes no sum)."""
        if not found:
            return dict.fromkeys(self.heads, 0.0)
        rows = list(filter(None, map(self._head_weights.get, found)))
        totals = map(sum, zip(*rows, strict=True)) if rows else repeat(0.0)
        return {
            name: head.probability_of(total, len(found))
            for (name, head), total in zip(self.heads.items(), totals, strict=False)
        }

    def kinds(self, found: list[str]) -> frozenset[Category]:
        """The categories whose heads pass for these features, else the likeliest one."""
        return self._kinds(self.head_probabilities(found))

    def imminence(self, found: list[str]) -> Level:
        head = self.heads.get(IMMINENT)
        return self._imminence(head.probability(found) if head is not None else 0.0)

    def _imminence(self, probability: float) -> Level:
        head = self.heads.get(IMMINENT)
        return Level.IMMINENT if head is not None and probability >= head.threshold else Level.URGENT

    def _kinds(self, probabilities: Mapping[str, float]) -> frozenset[Category]:
        scored = {
            category: probabilities[category.value] / head.threshold
            for category in Category
            if (head := self.heads.get(category.value)) is not None
        }
        if not scored:
            return frozenset({Category.SUICIDE})
        passing = frozenset(category for category, ratio in scored.items() if ratio >= 1.0)
        return passing or frozenset({max(scored, key=scored.__getitem__)})


def load_classifier(path: Path) -> Classifier:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CrisisDataError(f"Crisis data file missing: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CrisisDataError(f"Crisis data file {path}: not valid JSON ({type(exc).__name__})") from None
    if not isinstance(raw, dict):
        raise CrisisDataError(f"Crisis data file {path}: must be a JSON object")
    ask, urgent = raw.get("ask_threshold"), raw.get("urgent_threshold")
    if not (isinstance(ask, int | float) and isinstance(urgent, int | float) and 0 < ask <= urgent < 1):
        raise CrisisDataError(f"Crisis data file {path}: needs 0 < 'ask_threshold' <= 'urgent_threshold' < 1")
    doubt = raw.get("doubt_threshold", 0.0)
    if not (isinstance(doubt, int | float) and 0 <= doubt < ask):
        raise CrisisDataError(f"Crisis data file {path}: 'doubt_threshold' must be at least 0 and below the others")
    imminent_doubt = raw.get("imminent_doubt_threshold", 0.0)
    if not (isinstance(imminent_doubt, int | float) and 0 <= imminent_doubt <= doubt):
        raise CrisisDataError(
            f"Crisis data file {path}: 'imminent_doubt_threshold' must be at least 0 and at most 'doubt_threshold'"
        )
    crisis = _head(path, "the crisis model", {**raw, "threshold": urgent})
    heads_raw = raw.get("heads", {})
    if not isinstance(heads_raw, dict):
        raise CrisisDataError(f"Crisis data file {path}: 'heads' must map names to models")
    unknown = sorted(set(heads_raw) - set(HEADS))
    if unknown:
        raise CrisisDataError(f"Crisis data file {path}: unknown head {unknown[0]!r} (known: {', '.join(HEADS)})")
    heads = {name: _head(path, f"head {name!r}", value) for name, value in heads_raw.items()}
    return Classifier(crisis, float(ask), float(doubt), heads, float(imminent_doubt))


def _head(path: Path, name: str, raw: Any) -> Head:
    if not isinstance(raw, dict):
        raise CrisisDataError(f"Crisis data file {path}: {name} must be an object")
    weights, bias, threshold = raw.get("weights"), raw.get("bias"), raw.get("threshold")
    if not isinstance(weights, dict) or not weights:
        raise CrisisDataError(f"Crisis data file {path}: {name}: 'weights' must map features to numbers")
    # JSON gives exactly these types (a bool is its own type), checked in C: the model has 100,000 weights.
    kinds = set(map(type, weights.values()))
    if not kinds <= {int, float}:
        raise CrisisDataError(f"Crisis data file {path}: {name}: every weight must be a number")
    if not isinstance(bias, int | float):
        raise CrisisDataError(f"Crisis data file {path}: {name}: needs a numeric 'bias'")
    if not (isinstance(threshold, int | float) and 0 < threshold < 1):
        raise CrisisDataError(f"Crisis data file {path}: {name}: needs a 'threshold' between 0 and 1")
    # JSON keys are text; the weights are copied only where some are whole numbers, to make them floats.
    table = weights if kinds <= {float} else dict(zip(weights, map(float, weights.values()), strict=True))
    return Head(table, float(bias), float(threshold))
