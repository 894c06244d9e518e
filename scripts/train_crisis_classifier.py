"""Train the learned crisis screen (`prompts/crisis/classifier.json`) from labelled TSV sets.

    .venv/bin/python scripts/train_crisis_classifier.py                 # train, write the model, print figures
    .venv/bin/python scripts/train_crisis_classifier.py --hold-out FILE  # also score FILE, left out of training

By default it trains on every set in tests/data/crisis/ (and train/) except the blind sets kept for honest
measurement (HELD_OUT), which it scores instead, with the rules, exactly as the bot judges. Retrain whenever the
sets or the normaliser change: the model stores how it saw a few probe messages, and a test fails when the
normaliser no longer agrees.

Needs scikit-learn (installed by `scripts/setup-env dev`); the bot itself never imports it. The features are
`bot.crisis.classifier.features` of the normalised text, each counted once and scaled by 1/√(how many), so
that the pure-Python scorer reproduces the trained model exactly. Each feature is first scaled by how much
more often it occurs in crisis than in safe rows (naive-Bayes log-count ratios, Wang and Manning 2012); the
scale is folded into its weight, so the stored model stays one weight per feature. On the blind sets this
caught 7 points more crisis rows at the same false-positive rate than plain logistic regression. Thresholds
come from 5-fold cross-validation:
- ask: the lowest score at which at most `--ask-false-alarms` of the `none` rows would be asked directly
  (asking a `concern` row is what SAFETY.md wants, so those do not count);
- urgent: the lowest score at which at most `--urgent-false-alarms` of all safe rows would be made urgent;
- imminent (a head trained on crisis rows only): the lowest score at which at least `--imminent-precision` of
  the crisis rows it raises are really imminent;
- each category (heads trained on crisis rows only): the score that best separates rows of that category
  (largest F1).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, diags
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests/data/crisis"
# Never trained on, never tuned on: written by people who saw only shared/SAFETY.md. The blind sets are never read
# either; the two `unseen_` sets (session 17: crises told obliquely by adults and by young people, each with safe
# twins in the same words) may be read, to see what a model trained without them gets wrong.
HELD_OUT = (
    *(DATA / f"blind_{name}.tsv" for name in "cdefghijklm"),
    DATA / "unseen_adults.tsv",
    DATA / "unseen_young.tsv",
)
# Messages whose normalised form the model records, so a changed normaliser is noticed (tests/crisis).
PROBES = (
    "I w4nt to k1ll mys3lf",
    "k i l l  m y s e l f",
    "I'm soooo done, can't do this anymore",
    "kms lol",
    "Je veux mourir, c'est fini",
    "Ich will nicht mehr leben",
    "quiero morir ya",
    "não aguento mais",
    "ugh this commute is killing me 😂",
    "gonna unalive tbh",
    "sui.cide",
    "wanna sleep and never wake up",
)

from bot.crisis.classifier import HEADS, IMMINENT, features, load_classifier, scale  # noqa: E402
from bot.crisis.detector import Detector  # noqa: E402
from bot.crisis.evaluate import Row, evaluate, parse_rows  # noqa: E402
from bot.crisis.judge import Judge  # noqa: E402
from bot.crisis.lexicon import load_lexicon  # noqa: E402
from bot.models import Level  # noqa: E402

Found = list[list[str]]


def load(paths: list[Path]) -> list[Row]:
    rows: list[Row] = []
    for path in paths:
        rows += parse_rows(path.read_text(encoding="utf-8").splitlines())
    return rows


def matrix(found: Found, vocabulary: dict[str, int], grow: bool) -> csr_matrix:
    data: list[float] = []
    columns: list[int] = []
    starts = [0]
    for features_of_row in found:
        weight = 1 / scale(len(features_of_row))
        for feature in features_of_row:
            column = vocabulary.get(feature)
            if column is None and grow:
                column = vocabulary[feature] = len(vocabulary)
            if column is not None:
                columns.append(column)
                data.append(weight)
        starts.append(len(columns))
    return csr_matrix((data, columns, starts), shape=(len(found), len(vocabulary)))


@dataclass(frozen=True)
class Linear:
    """A fitted model as the bot stores it: one weight per feature and a bias."""

    vocabulary: dict[str, int]
    weights: np.ndarray
    bias: float

    def scores(self, found: Found) -> np.ndarray:
        margin = matrix(found, self.vocabulary, grow=False) @ self.weights + self.bias
        return np.asarray(1 / (1 + np.exp(-margin)))


def _ratios(features_matrix: csr_matrix, labels: np.ndarray) -> np.ndarray:
    """How much more often each feature occurs in positive than in negative rows (log, smoothed by one): the
    naive-Bayes weighting of Wang and Manning (2012), which lets rare but telling features count."""
    present = (features_matrix > 0).astype(float)
    positive = np.asarray(present[labels == 1].sum(axis=0)).ravel() + 1
    negative = np.asarray(present[labels == 0].sum(axis=0)).ravel() + 1
    return np.asarray(np.abs(np.log((positive / positive.sum()) / (negative / negative.sum()))))


def _logistic(features_matrix: csr_matrix, labels: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """Logistic regression on the features scaled by their ratios, folded back into one weight each."""
    ratios = _ratios(features_matrix, labels)
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    model.fit(features_matrix @ diags(ratios), labels)
    return model.coef_[0] * ratios, float(model.intercept_[0])


def fit(found: Found, labels: np.ndarray, c: float, keep: int | None = None) -> Linear:
    """The model; with `keep`, refitted on the `keep` features that weighed most, so that the shipped
    (smaller) model is exactly the one scored."""
    vocabulary: dict[str, int] = {}
    weights, bias = _logistic(matrix(found, vocabulary, grow=True), labels, c)
    if keep is None or len(vocabulary) <= keep:
        return Linear(vocabulary, weights, bias)
    names = {column: name for name, column in vocabulary.items()}
    strongest = np.argsort(-np.abs(weights))[:keep]
    kept = {names[int(column)]: index for index, column in enumerate(sorted(strongest))}
    return Linear(kept, *_logistic(matrix(found, kept, grow=False), labels, c))


def cross_validated(found: Found, labels: np.ndarray, c: float, keep: int) -> np.ndarray:
    scores = np.zeros(len(found))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=7).split(np.zeros(len(labels)), labels):
        scores[test] = fit([found[i] for i in train], labels[train], c, keep).scores([found[i] for i in test])
    return scores


def _threshold(safe_scores: np.ndarray, allowed: float) -> float:
    """The lowest score (at least 0.5) that at most `allowed` of these safe rows reach."""
    ordered = np.sort(safe_scores)
    index = max(0, int(math.ceil(len(ordered) * (1 - allowed))) - 1)
    return float(max(0.5, ordered[index] + 1e-6)) if len(ordered) else 0.5


def _precise_threshold(scores: np.ndarray, labels: np.ndarray, precision: float) -> float:
    """The lowest score (at least 0.5) above which at least `precision` of the rows raised are positive."""
    for threshold in np.arange(0.5, 0.99, 0.01):
        raised = scores >= threshold
        if raised.any() and labels[raised].mean() >= precision:
            return float(threshold)
    return 0.99


def _doubt_threshold(scores: np.ndarray, labels: np.ndarray, ruled: np.ndarray, allowed: float) -> float:
    """The highest score (at most 0.2) below which at most `allowed` of the crisis rows that the rules make
    exactly urgent would be lowered to a direct question."""
    caught = np.sort(scores[ruled & (labels == 1)])
    if not len(caught):
        return 0.0
    index = int(math.floor(len(caught) * allowed))
    return float(min(0.2, caught[index])) if index < len(caught) else 0.0


def _best_f1_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    best, chosen = -1.0, 0.5
    for threshold in np.arange(0.2, 0.95, 0.01):
        raised = scores >= threshold
        hits = float((raised & (labels == 1)).sum())
        f1 = 2 * hits / (raised.sum() + labels.sum()) if raised.sum() + labels.sum() else 0.0
        if f1 > best:
            best, chosen = f1, float(threshold)
    return chosen


def _share(flags: np.ndarray) -> str:
    return f"{np.mean(flags):.1%}" if len(flags) else "-"


def _shown(path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else path.name


def _head(model: Linear, threshold: float) -> dict[str, Any]:
    return {
        "bias": round(model.bias, 6),
        "threshold": round(threshold, 6),
        "weights": {name: round(float(model.weights[column]), 4) for name, column in sorted(model.vocabulary.items())},
    }


def train_heads(rows: list[Row], found: Found, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """On crisis rows only: whether it is imminent, and which categories it touches."""
    crisis = [i for i, row in enumerate(rows) if row.crisis]
    chosen = [found[i] for i in crisis]
    heads: dict[str, dict[str, Any]] = {}
    for name in HEADS:
        if name == IMMINENT:
            labels = np.array([rows[i].level is Level.IMMINENT for i in crisis], dtype=int)
        else:
            labels = np.array([name in rows[i].categories for i in crisis], dtype=int)
        if labels.sum() < 20 or (1 - labels).sum() < 20:
            print(f"head {name}: too few rows, left out")  # noqa: T201
            continue
        scores = cross_validated(chosen, labels, args.head_c, args.keep_head)
        if name == IMMINENT:
            threshold = _precise_threshold(scores, labels, args.imminent_precision)
        else:
            threshold = _best_f1_threshold(scores, labels)
        raised = scores >= threshold
        print(  # noqa: T201
            f"head {name:<15} 5-fold at {threshold:.2f}: finds {_share(raised[labels == 1])} of its "
            f"{labels.sum()} rows; {_share(labels[raised] == 1)} of those it raises are right"
        )
        heads[name] = _head(fit(chosen, labels, args.head_c, args.keep_head), threshold)
    return heads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", nargs="+", type=Path, default=sorted(DATA.rglob("*.tsv")))
    parser.add_argument("--hold-out", nargs="*", type=Path, default=list(HELD_OUT), help="scored, never trained on")
    parser.add_argument("--out", type=Path, default=ROOT / "prompts/crisis/classifier.json")
    parser.add_argument("--c", type=float, default=16.0, help="inverse regularisation strength (crisis model)")
    parser.add_argument("--head-c", type=float, default=8.0, help="inverse regularisation strength (heads)")
    parser.add_argument("--ask-false-alarms", type=float, default=0.06)
    parser.add_argument("--urgent-false-alarms", type=float, default=0.07)
    parser.add_argument(
        "--doubt-misses",
        type=float,
        default=0.02,
        help="share of rule-caught crisis rows the screen may lower to a direct question",
    )
    parser.add_argument(
        "--imminent-doubt-misses",
        type=float,
        default=0.002,
        help="share of rule-imminent crisis rows the screen may lower to a direct question",
    )
    parser.add_argument("--imminent-precision", type=float, default=0.8)
    parser.add_argument("--keep", type=int, default=60000, help="keep the N features with the largest weights")
    parser.add_argument("--keep-head", type=int, default=8000, help="the same, for each head")
    parser.add_argument("--no-heads", action="store_true", help="the crisis model alone")
    parser.add_argument(
        "--no-scores",
        action="store_true",
        help="leave the held-out sets unscored (still untrained on): for choosing settings without looking at them",
    )
    args = parser.parse_args()

    lexicon = load_lexicon(ROOT / "prompts/crisis")
    normalise = lexicon.normalise
    held = {path.resolve() for path in args.hold_out}
    training_files = [path for path in args.data if path.resolve() not in held]
    # A message with no words (emoji only) teaches nothing, and the bot never flags one.
    sources = [(path, row) for path in training_files for row in load([path]) if features(normalise(row.text))]
    rows = [row for _, row in sources]
    found = [features(normalise(row.text)) for row in rows]
    labels = np.array([1 if row.crisis else 0 for row in rows])

    scores = cross_validated(found, labels, args.c, args.keep)
    none = np.array([row.level is Level.NONE for row in rows])
    ask = _threshold(scores[none], args.ask_false_alarms)
    urgent = max(ask, _threshold(scores[labels == 0], args.urgent_false_alarms))
    detector = Detector(lexicon)
    levels = [detector.detect_normalised(normalise(row.text)) for row in rows]
    ruled = np.array([found.level is Level.URGENT for found in levels])
    doubt = _doubt_threshold(scores, labels, ruled, args.doubt_misses)
    # The rules' "imminent" alerts the moderators; where the screen all but rules it out ("I overdosed on coffee
    # today, my heart is doing a drum solo") Hearth asks instead. Far stricter: almost none of the rules'
    # imminent crisis rows may be lowered, and a means question never is (the judge sees to that).
    imminent = np.array([found.level is Level.IMMINENT and not found.method_question for found in levels])
    imminent_doubt = min(doubt, _doubt_threshold(scores, labels, imminent, args.imminent_doubt_misses))
    print(f"{len(rows)} rows ({labels.sum()} crisis) from {len(training_files)} files")  # noqa: T201
    lowered_imminent = imminent & (scores < imminent_doubt)
    print(  # noqa: T201
        f"5-fold, imminent doubt below {imminent_doubt:.3f}: lowers {(lowered_imminent & (labels == 1)).sum()} of "
        f"the rules' {(imminent & (labels == 1)).sum()} imminent crisis rows and "
        f"{(lowered_imminent & (labels == 0)).sum()} of their {(imminent & (labels == 0)).sum()} imminent safe rows"
    )
    lowered = ruled & (scores < doubt)
    print(  # noqa: T201
        f"5-fold, doubt below {doubt:.3f}: lowers {(lowered & (labels == 1)).sum()} of the rules' "
        f"{(ruled & (labels == 1)).sum()} urgent crisis rows and {(lowered & (labels == 0)).sum()} of their "
        f"{(ruled & (labels == 0)).sum()} urgent safe rows"
    )
    for name, threshold in (("ask", ask), ("urgent", urgent)):
        print(  # noqa: T201
            f"5-fold, {name} at {threshold:.3f}: crisis rows {np.mean(scores[labels == 1] >= threshold):.1%}, "
            f"none rows {np.mean(scores[none] >= threshold):.1%}, "
            f"all safe rows {np.mean(scores[labels == 0] >= threshold):.1%}"
        )
    for path in training_files:
        mine = np.array([source == path for source, _ in sources])
        crisis, safe = mine & (labels == 1), mine & (labels == 0)
        print(  # noqa: T201
            f"  5-fold on {path.name}: crisis rows urgent {_share(scores[crisis] >= urgent)} or asked "
            f"{_share(scores[crisis] >= ask)}; safe rows urgent {_share(scores[safe] >= urgent)} or asked "
            f"{_share(scores[safe] >= ask)}"
        )

    model = fit(found, labels, args.c, args.keep)
    document = {
        "about": "Learned crisis screen; see bot/crisis/classifier.py. Regenerate with "
        "scripts/train_crisis_classifier.py; do not edit by hand.",
        "trained_on": [_shown(path) for path in training_files],
        "rows": len(rows),
        "probes": {probe: normalise(probe) for probe in PROBES},
        "doubt_threshold": round(doubt, 6),
        "imminent_doubt_threshold": round(imminent_doubt, 6),
        "ask_threshold": round(ask, 6),
        "urgent_threshold": round(urgent, 6),
        **{k: v for k, v in _head(model, urgent).items() if k != "threshold"},
        "heads": {} if args.no_heads else train_heads(rows, found, args),
    }
    args.out.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(document['weights'])} features, {args.out.stat().st_size // 1024} KiB)")  # noqa: T201

    # The bot scores with its own pure-Python code: check that it reproduces what was trained, then judge the
    # held-out sets exactly as the bot does (the rules, then the screen).
    scorer = load_classifier(args.out)
    trained = model.scores(found)
    ours = np.array([scorer.crisis.probability(each) for each in found])
    judge = Judge(detector, scorer)
    for path in [] if args.no_scores else args.hold_out:
        report = evaluate(load([path]), lambda text: judge(text).level)
        print(  # noqa: T201
            f"held out {path.name} (rules + screen): recall {_share(np.array([report.overall.recall or 0]))}, "
            f"false positives {_share(np.array([report.overall.fpr or 0]))}"
        )
    gap = float(np.max(np.abs(trained - ours)))
    if gap > 0.02:
        print(f"the bot's scorer differs from the trained model by up to {gap:.3f}", file=sys.stderr)  # noqa: T201
        return 1
    print(f"the bot's scorer matches the trained model (largest difference {gap:.4f})")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
