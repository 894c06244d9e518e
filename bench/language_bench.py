"""Prints how well, how fast and at what memory cost Hearth reads which language a message is in
(bot/crisis/language.py): right, unsure (None) and wrong on every sentence of Hearth's own translated texts
(prompts/messages/ and prompts/tools/, labelled by their file's language), for the markers alone and for the
model with the markers; then the model's load time and memory, and the time per message.

    python -m bench.language_bench
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.crisis.language import LanguageModel, _by_markers, words_of  # noqa: E402
from bot.crisis.replies import load_phrasebook  # noqa: E402

PROMPTS = ROOT / "prompts"
_NOT_WORDS = re.compile(r"\{[^}]*\}|https?://\S+|/\w+|`[^`]*`|\*")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def sentences() -> list[tuple[str, str]]:
    """(language, sentence) for each distinct sentence of 3 to 20 words in Hearth's translated texts."""
    found: list[tuple[str, str]] = []
    for language in ("en", "es", "fr", "de", "pt", "it", "nl", "pl"):
        files = [PROMPTS / "messages" / f"{language}.yaml", *sorted((PROMPTS / "tools" / language).glob("*.yaml"))]
        seen: set[str] = set()
        for path in files:
            for text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
                for sentence in re.split(r"[.!?\n:;]+", _NOT_WORDS.sub(" ", text)):
                    words = sentence.split()
                    if 3 <= len(words) <= 20 and " ".join(words) not in seen:
                        seen.add(" ".join(words))
                        found.append((language, " ".join(words)))
    return found


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _score(name: str, guess: Callable[[str], str | None], rows: list[tuple[str, str]]) -> None:
    guesses = [guess(text) for _, text in rows]
    right = sum(said == language for (language, _), said in zip(rows, guesses, strict=True))
    unsure = guesses.count(None)
    wrong = len(rows) - right - unsure
    print(  # noqa: T201
        f"{name:<22} right {right / len(rows):6.1%}  unsure {unsure / len(rows):6.1%}  wrong {wrong / len(rows):5.1%}"
    )


def main() -> None:
    rows = sentences()
    before = _rss_kib()
    started = time.perf_counter()
    model = LanguageModel(["en", "es", "fr", "de", "pt", "it", "nl", "pl"])
    loaded = time.perf_counter() - started
    grown = _rss_kib() - before
    book = load_phrasebook(PROMPTS / "crisis" / "replies", model)
    print(f"{len(rows)} sentences of Hearth's own texts in 8 languages")  # noqa: T201
    _score("markers alone", lambda text: _by_markers(words_of(text)[:200], book.markers, short=True), rows)
    _score("model and markers", book.language_of, rows)
    timings = []
    for _, text in rows:  # each text once: the model's memory of recent texts does not help
        start = time.perf_counter()
        book.language_of(text)
        timings.append(time.perf_counter() - start)
    timings.sort()
    print(  # noqa: T201
        f"model load {loaded:.2f} s, +{grown / 1024:.0f} MiB resident; per message median "
        f"{statistics.median(timings) * 1e6:.0f} us, p99 {timings[int(len(timings) * 0.99)] * 1e6:.0f} us"
    )


if __name__ == "__main__":
    main()
