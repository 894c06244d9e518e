"""The learned screen: a small linear model over words and letter groups, for crisis wording no rule names.

The rules (`prompts/crisis/patterns/`) are reviewable and precise, but they catch what their authors thought
of; on sets written by other people they missed about half of the crisis messages. This model, trained on
the labelled sets (`scripts/train_crisis_classifier.py`), generalises further but is less precise. It can only
raise what the rules decided, in two steps chosen by cross-validation when it was trained:
- above `ask_threshold`, Hearth asks directly and gently (SAFETY.md rule 7), and a "yes" makes it urgent;
- above `urgent_threshold` (where it was about as precise as the rules), the message is urgent.

The model is data (`prompts/crisis/classifier.json`): feature → weight, a bias and the two thresholds. Scoring
is pure Python, a dictionary lookup per feature, with no numerical library at run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.crisis.lexicon import CrisisDataError
from bot.models import Level

_PUNCTUATION = frozenset(".?!~")
_CHAR_SIZES = (3, 4, 5)
_MAX_WORDS = 400  # a chat message's opening says enough; a flood must not cost more
_CACHE_WORDS = 50_000


def word_features(words: list[str]) -> list[str]:
    """The distinct words, word pairs and word triples."""
    found = {f"w:{word}" for word in words}
    found.update(f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False))
    found.update(f"t:{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False))
    return list(found)


def letter_groups(word: str) -> set[str]:
    padded = f" {word} "
    return {f"c:{padded[i : i + size]}" for size in _CHAR_SIZES for i in range(len(padded) - size + 1)}


def words_of(normalised: str) -> list[str]:
    return [word for word in normalised.split() if word not in _PUNCTUATION][:_MAX_WORDS]


def features(normalised: str) -> dict[str, int]:
    """Feature → count: each distinct word, pair and triple once, and the letter groups of each distinct word
    (a group shared by two words counts twice). Training and scoring both use exactly this."""
    words = words_of(normalised)
    counted = dict.fromkeys(word_features(words), 1)
    for word in set(words):
        for group in letter_groups(word):
            counted[group] = counted.get(group, 0) + 1
    return counted


@dataclass(frozen=True)
class Classifier:
    weights: Mapping[str, float]
    bias: float
    ask_threshold: float
    urgent_threshold: float
    # word → (sum of its letter groups' weights, how many groups): chat repeats words, so most cost nothing.
    _letters: dict[str, tuple[float, int]] = field(default_factory=dict, repr=False, compare=False)

    def probability(self, normalised: str) -> float:
        """How likely the message is a crisis, 0..1: the trained linear model over `features`, scaled by
        1/sqrt(total count), as in training."""
        words = words_of(normalised)
        if not words:
            return 0.0
        phrases = word_features(words)
        total = sum(self.weights.get(feature, 0.0) for feature in phrases)
        count = len(phrases)
        for word in set(words):
            weight, groups = self._letter_sum(word)
            total += weight
            count += groups
        return 1.0 / (1.0 + math.exp(-(total / math.sqrt(count) + self.bias)))

    def _letter_sum(self, word: str) -> tuple[float, int]:
        known = self._letters.get(word)
        if known is None:
            groups = letter_groups(word)
            known = (sum(self.weights.get(group, 0.0) for group in groups), len(groups))
            if len(self._letters) >= _CACHE_WORDS:
                self._letters.clear()  # bounded: a flood of made-up words cannot grow it
            self._letters[word] = known
        return known

    def level(self, normalised: str) -> Level:
        """URGENT, CONCERN (ask directly) or NONE."""
        probability = self.probability(normalised)
        if probability >= self.urgent_threshold:
            return Level.URGENT
        return Level.CONCERN if probability >= self.ask_threshold else Level.NONE


def load_classifier(path: Path) -> Classifier:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CrisisDataError(f"Crisis data file missing: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CrisisDataError(f"Crisis data file {path}: not valid JSON ({type(exc).__name__})") from None
    if not isinstance(raw, dict):
        raise CrisisDataError(f"Crisis data file {path}: must be a JSON object")
    weights = raw.get("weights")
    bias, ask, urgent = raw.get("bias"), raw.get("ask_threshold"), raw.get("urgent_threshold")
    if not isinstance(weights, dict) or not weights:
        raise CrisisDataError(f"Crisis data file {path}: 'weights' must map features to numbers")
    if not all(isinstance(value, int | float) for value in weights.values()):
        raise CrisisDataError(f"Crisis data file {path}: every weight must be a number")
    if not isinstance(bias, int | float):
        raise CrisisDataError(f"Crisis data file {path}: needs a numeric 'bias'")
    if not (isinstance(ask, int | float) and isinstance(urgent, int | float) and 0 < ask <= urgent < 1):
        raise CrisisDataError(f"Crisis data file {path}: needs 0 < 'ask_threshold' <= 'urgent_threshold' < 1")
    return Classifier(
        weights={str(k): float(v) for k, v in weights.items()},
        bias=float(bias),
        ask_threshold=float(ask),
        urgent_threshold=float(urgent),
    )
