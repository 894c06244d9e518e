"""Checks that a change to the crisis screen leaves every verdict as it was: record a digest on the unchanged
code, check it after the change.

    PYTHONHASHSEED=0 .venv/bin/python -m bench.crisis_identity --record /tmp/before.json
    PYTHONHASHSEED=0 .venv/bin/python -m bench.crisis_identity --check /tmp/before.json

The inputs: every message of tests/data/crisis/*.tsv and train/*.tsv and of tests/data/conversations/dev*.tsv,
the everyday chat of bench/crisis_bench.py, and variants of each (upper case, leetspeak, spaced letters,
repeated letters, truncated, doubled, with emoji, accented and quoted, as a command). Each is judged as
`python -m bot.crisis` judges it, and the digest keeps, per input, a hash of the verdict (its level and
categories, the rules' and the learned screen's levels) and the learned probability rounded to 12 places: no
text. `--check` prints how many verdicts differ, and separately how many inputs differ only in the probability's
last places (another summation order, or another PYTHONHASHSEED, can move it by 1e-12 without changing a
verdict); it shows at most five differing inputs, and only from files that may be read (never a blind set's rows).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.crisis_bench import EVERYDAY  # noqa: E402
from bot.crisis.classifier import load_classifier  # noqa: E402
from bot.crisis.detector import Detector  # noqa: E402
from bot.crisis.evaluate import parse_rows  # noqa: E402
from bot.crisis.judge import Judge, Verdict  # noqa: E402
from bot.crisis.lexicon import load_lexicon  # noqa: E402

_LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"})
_SHOWN = 5


def _spaced(text: str) -> str:
    return " ".join(text[:200])


def _repeated(text: str) -> str:
    return "".join(char * 3 if char in "aeiouy" else char for char in text)


def _truncated(text: str) -> str:
    return text[: max(1, len(text) // 2)]


VARIANTS: dict[str, Callable[[str], str]] = {
    "as written": lambda text: text,
    "upper case": str.upper,
    "leetspeak": lambda text: text.translate(_LEET),
    "spaced letters": _spaced,
    "repeated letters": _repeated,
    "truncated": _truncated,
    "doubled": lambda text: f"{text} {text}",
    "with emoji": lambda text: f"💊 {text} 😂🔪",
    "accents and quotes": lambda text: f"«{text.replace('e', 'é').replace('a', 'á')}» — she said",
    "command": lambda text: f"/{text}",
}


def _messages(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if "conversations" in path.parts:
        rows = [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
        return [row[1] for row in rows if len(row) > 1 and row[0] != "conversation"]
    return [row.text for row in parse_rows(lines)]


def sources() -> Iterator[tuple[str, bool, list[str]]]:
    """(name, whether its rows may be shown, messages) per input file, and the bench's chat."""
    yield "bench everyday", True, list(EVERYDAY)
    crisis = ROOT / "tests/data/crisis"
    files = [*sorted(crisis.glob("*.tsv")), *sorted((crisis / "train").glob("*.tsv"))]
    files += sorted((ROOT / "tests/data/conversations").glob("dev*.tsv"))
    for path in files:
        yield str(path.relative_to(ROOT)), not path.name.startswith("blind"), _messages(path)


def digest(verdict: Verdict) -> str:
    """A hash of what the verdict decides, then the probability: "<hash> <probability to 12 places>"."""
    parts = (
        verdict.level.value,
        ",".join(sorted(category.value for category in verdict.categories)),
        verdict.detection.level.value,
        verdict.learned.value,
    )
    decided = hashlib.blake2b("|".join(parts).encode(), digest_size=8).hexdigest()
    return f"{decided} {verdict.probability:.12f}"


def run() -> dict[str, list[str]]:
    folder = ROOT / "prompts" / "crisis"
    judge = Judge(Detector(load_lexicon(folder)), load_classifier(folder / "classifier.json"))
    return {
        f"{name}|{variant}": [digest(judge(change(text))) for text in texts]
        for name, _, texts in sources()
        for variant, change in VARIANTS.items()
    }


def check(recorded: dict[str, list[str]], now: dict[str, list[str]]) -> int:
    readable = {name: (shown, texts) for name, shown, texts in sources()}
    total = differing = rounded = shown = 0
    largest = 0.0
    for key, digests in recorded.items():
        name, variant = key.rsplit("|", 1)
        current = now.get(key, [])
        if len(current) != len(digests):
            print(f"{key}: {len(digests)} inputs recorded, {len(current)} now")
        total += len(digests)
        for index, (before, after) in enumerate(zip(digests, current, strict=False)):
            if before == after:
                continue
            (decided, probability), (decided_now, probability_now) = before.split(), after.split()
            largest = max(largest, abs(float(probability) - float(probability_now)))
            if decided == decided_now:
                rounded += 1
                continue
            differing += 1
            may_show, texts = readable[name]
            if may_show and shown < _SHOWN:
                shown += 1
                print(f"  differs: {name} ({variant}): {json.dumps(VARIANTS[variant](texts[index]))[:200]}")
    print(f"{total:,} inputs checked, {differing:,} verdicts differ")
    print(f"{rounded:,} more differ only in the probability's 12 places (largest difference {largest:.1e})")
    return 1 if differing or set(recorded) != set(now) else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--record", type=Path, metavar="FILE")
    group.add_argument("--check", type=Path, metavar="FILE")
    args = parser.parse_args()
    now = run()
    if args.record:
        args.record.write_text(json.dumps(now), encoding="utf-8")
        print(f"{sum(map(len, now.values())):,} verdict digests recorded in {args.record}")
        return 0
    return check(json.loads(args.check.read_text(encoding="utf-8")), now)


if __name__ == "__main__":
    sys.exit(main())
