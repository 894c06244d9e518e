"""Train the learned crisis screen (`prompts/crisis/classifier.json`) from labelled TSV sets.

    .venv/bin/python scripts/train_crisis_classifier.py                 # train, write the model, print figures
    .venv/bin/python scripts/train_crisis_classifier.py --hold-out FILE  # also score FILE, left out of training

By default it trains on every set in tests/data/crisis/ (and train/) except the blind sets kept for honest
measurement (HELD_OUT), which it scores instead. Retrain whenever the sets or the normaliser change: the model
stores how it saw a few probe messages, and a test fails when the normaliser no longer agrees.

Needs scikit-learn (installed by `scripts/setup-env dev`); the bot itself never imports it. The features are
`bot.crisis.classifier.features` of the normalised text (counts), scaled by 1/√(total count), so that the
pure-Python scorer reproduces the trained model exactly. Both thresholds are chosen by 5-fold cross-validation:
- ask: the lowest score at which at most `--ask-false-alarms` of the `none` rows would be asked directly
  (asking a `concern` row is what SAFETY.md wants, so those do not count);
- urgent: the lowest score at which at most `--urgent-false-alarms` of all safe rows would be made urgent.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests/data/crisis"
HELD_OUT = (DATA / "blind_c.tsv", DATA / "blind_d.tsv")  # never trained on, never tuned on
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

from bot.crisis.classifier import features, load_classifier  # noqa: E402
from bot.crisis.evaluate import Row, parse_rows  # noqa: E402
from bot.crisis.lexicon import load_lexicon  # noqa: E402
from bot.models import Level  # noqa: E402


def load(paths: list[Path]) -> list[Row]:
    rows: list[Row] = []
    for path in paths:
        rows += parse_rows(path.read_text(encoding="utf-8").splitlines())
    return rows


def featurise(rows: list[Row], normalise: object) -> list[dict[str, int]]:
    return [features(normalise(row.text)) for row in rows]  # type: ignore[operator]


def matrix(found: list[dict[str, int]], vocabulary: dict[str, int], grow: bool) -> csr_matrix:
    data: list[float] = []
    columns: list[int] = []
    starts = [0]
    for features_of_row in found:
        scale = 1 / math.sqrt(sum(features_of_row.values()) or 1)
        for feature, count in features_of_row.items():
            column = vocabulary.get(feature)
            if column is None and grow:
                column = vocabulary[feature] = len(vocabulary)
            if column is not None:
                columns.append(column)
                data.append(count * scale)
        starts.append(len(columns))
    return csr_matrix((data, columns, starts), shape=(len(found), len(vocabulary)))


def fit(found: list[dict[str, int]], labels: np.ndarray, c: float) -> tuple[LogisticRegression, dict[str, int]]:
    vocabulary: dict[str, int] = {}
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    model.fit(matrix(found, vocabulary, grow=True), labels)
    return model, vocabulary


def cross_validated(found: list[dict[str, int]], labels: np.ndarray, c: float) -> np.ndarray:
    scores = np.zeros(len(found))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=7).split(np.zeros(len(labels)), labels):
        model, vocabulary = fit([found[i] for i in train], labels[train], c)
        scores[test] = model.predict_proba(matrix([found[i] for i in test], vocabulary, grow=False))[:, 1]
    return scores


def _threshold(safe_scores: np.ndarray, allowed: float) -> float:
    """The lowest score (at least 0.5) that at most `allowed` of these safe rows reach."""
    ordered = np.sort(safe_scores)
    index = max(0, int(math.ceil(len(ordered) * (1 - allowed))) - 1)
    return float(max(0.5, ordered[index] + 1e-6)) if len(ordered) else 0.5


def _share(flags: np.ndarray) -> str:
    return f"{np.mean(flags):.1%}" if len(flags) else "-"


def _shown(path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else path.name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", nargs="+", type=Path, default=sorted(DATA.rglob("*.tsv")))
    parser.add_argument("--hold-out", nargs="*", type=Path, default=list(HELD_OUT), help="scored, never trained on")
    parser.add_argument("--out", type=Path, default=ROOT / "prompts/crisis/classifier.json")
    parser.add_argument("--c", type=float, default=4.0, help="inverse regularisation strength")
    parser.add_argument("--ask-false-alarms", type=float, default=0.05)
    parser.add_argument("--urgent-false-alarms", type=float, default=0.02)
    parser.add_argument("--keep", type=int, default=40000, help="keep the N features with the largest weights")
    args = parser.parse_args()

    normalise = load_lexicon(ROOT / "prompts/crisis").normalise
    held = {path.resolve() for path in args.hold_out}
    training_files = [path for path in args.data if path.resolve() not in held]
    # A message with no words (emoji only) teaches nothing, and the bot never flags one.
    sources = [(path, row) for path in training_files for row in load([path]) if features(normalise(row.text))]
    rows = [row for _, row in sources]
    found = featurise(rows, normalise)
    labels = np.array([1 if row.crisis else 0 for row in rows])

    scores = cross_validated(found, labels, args.c)
    none = np.array([row.level is Level.NONE for row in rows])
    ask = _threshold(scores[none], args.ask_false_alarms)
    urgent = max(ask, _threshold(scores[labels == 0], args.urgent_false_alarms))
    print(f"{len(rows)} rows ({labels.sum()} crisis) from {len(training_files)} files")  # noqa: T201
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

    model, vocabulary = fit(found, labels, args.c)
    weights = model.coef_[0]
    order = np.argsort(-np.abs(weights))[: args.keep]
    names = {column: name for name, column in vocabulary.items()}
    kept = {names[int(column)]: round(float(weights[column]), 4) for column in order if abs(weights[column]) >= 1e-3}
    for path in args.hold_out:
        test = load([path])
        probability = model.predict_proba(matrix(featurise(test, normalise), vocabulary, grow=False))[:, 1]
        crisis = np.array([row.crisis for row in test])
        print(  # noqa: T201
            f"held out {path.name} (model alone): crisis rows urgent {np.mean(probability[crisis] >= urgent):.1%}"
            f" or asked {np.mean(probability[crisis] >= ask):.1%}; safe rows urgent "
            f"{np.mean(probability[~crisis] >= urgent):.1%} or asked {np.mean(probability[~crisis] >= ask):.1%}"
        )
    document = {
        "about": "Learned crisis screen; see bot/crisis/classifier.py. Regenerate with "
        "scripts/train_crisis_classifier.py; do not edit by hand.",
        "trained_on": [_shown(path) for path in training_files],
        "rows": len(rows),
        "probes": {probe: normalise(probe) for probe in PROBES},
        "bias": round(float(model.intercept_[0]), 6),
        "ask_threshold": round(ask, 6),
        "urgent_threshold": round(urgent, 6),
        "weights": dict(sorted(kept.items())),
    }
    args.out.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(kept)} features, {args.out.stat().st_size // 1024} KiB)")  # noqa: T201
    # The bot scores with its own pure-Python code: check that it reproduces what was trained.
    scorer = load_classifier(args.out)
    trained = model.predict_proba(matrix(found, vocabulary, grow=False))[:, 1]
    ours = np.array([scorer.probability(normalise(row.text)) for row in rows])
    gap = float(np.max(np.abs(trained - ours)))
    if gap > 0.02:
        print(f"the bot's scorer differs from the trained model by up to {gap:.3f}", file=sys.stderr)  # noqa: T201
        return 1
    print(f"the bot's scorer matches the trained model (largest difference {gap:.4f})")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
