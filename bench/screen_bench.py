"""Prints how long the LLM output screen (bot/crisis/screen.py) takes per reply: it runs on every reply Hearth
sends, and on every streamed partial of one. Replies of about 1,000 characters are built from the labelled
replies in tests/data/screen (safe and unsafe, every language), so the figure is for text that looks like what
a model writes, not for lorem ipsum. Each reply is timed several times and the fastest kept, which is what the
code costs when the machine is not busy with something else; the median, p90, p99 and slowest of those follow.

    python bench/screen_bench.py [--replies 400] [--repeat 7] [--screen prompts/crisis/screen.yaml]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.crisis.screen import load_screen  # noqa: E402
from bot.crisis.screen_eval import read_screen_file  # noqa: E402

LENGTH = 1000
_SHARES = (("p90", 0.9), ("p99", 0.99))  # of the replies, by how long each took


def replies(count: int, unsafe: bool, seed: int = 7) -> list[str]:
    """`count` texts of about `LENGTH` characters: safe labelled replies of one language, chosen at random, one
    after another, and where `unsafe`, one reply that must be withheld somewhere among them."""
    by_language: dict[str, tuple[list[str], list[str]]] = {}
    for path in sorted((ROOT / "tests/data/screen").glob("*.tsv")):
        safe, withheld = by_language.setdefault(path.stem.split("_")[0], ([], []))
        for row in read_screen_file(path):
            (withheld if row.withhold else safe).append(row.text)
    pick = random.Random(seed)
    built = []
    for number in range(count):
        safe, withheld = list(by_language.values())[number % len(by_language)]
        parts: list[str] = []
        while sum(map(len, parts)) < LENGTH:
            parts.append(pick.choice(safe))
        if unsafe:
            parts.insert(pick.randrange(len(parts)), pick.choice(withheld))
        built.append(" ".join(parts)[:LENGTH] if not unsafe else " ".join(parts))
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--screen", type=Path, default=ROOT / "prompts/crisis/screen.yaml")
    args = parser.parse_args()
    screen = load_screen(args.screen)
    for unsafe in (False, True):
        texts = replies(args.replies, unsafe)
        best = []
        for text in texts:
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                screen.allows(text)
                times.append(time.perf_counter() - started)
            best.append(min(times) * 1e6)
        best.sort()
        withheld = sum(not screen.allows(text) for text in texts)
        figures = ", ".join(f"{name} {best[int(len(best) * share)]:.0f} us" for name, share in _SHARES)
        print(  # noqa: T201 - a benchmark prints its figures
            f"{len(texts)} {'safe replies' if not unsafe else 'replies holding one unsafe reply'} of about "
            f"{statistics.mean(map(len, texts)):.0f} characters ({withheld} withheld): median "
            f"{statistics.median(best):.0f} us, {figures}, slowest {best[-1]:.0f} us"
        )


if __name__ == "__main__":
    main()
