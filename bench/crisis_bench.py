"""Prints the crisis screen's speed (the rules, then the learned screen: what runs on every message): median and
p99 per chat message, throughput on one core, and the CLI's throughput including start-up. Targets (issue 3):
median <= 100 us, p99 <= 1 ms, CLI >= 5,000 messages/s.

    python bench/crisis_bench.py [--messages 20000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.crisis.classifier import load_classifier  # noqa: E402
from bot.crisis.detector import Detector  # noqa: E402
from bot.crisis.evaluate import parse_rows  # noqa: E402
from bot.crisis.judge import Judge  # noqa: E402
from bot.crisis.lexicon import load_lexicon  # noqa: E402

# Ordinary chat, which is most of what a community bot sees.
EVERYDAY = [
    "hey how's everyone doing today",
    "anyone up for a game later tonight?",
    "lol that meme is so true",
    "i had such a long day at work, my boss kept piling things on",
    "can someone help me with my python homework, the loop never ends",
    "just finished a 5k run, feeling great",
    "does anyone know a good recipe for banana bread",
    "i'm so tired, couldn't sleep last night because of the neighbours",
    "my cat knocked my coffee over again 😂",
    "what time is the meeting tomorrow?",
    "honestly this week has been a lot, but i'm hanging in there",
    "thanks for listening yesterday, it helped",
    "good morning! did anyone watch the game last night",
    "i'm making pasta tonight, any sauce ideas?",
    "my train was late again, classic monday",
    "does this outfit look okay for an interview",
    "finally finished my essay, time for a nap",
    "we should plan a trip to the coast this summer",
    "that new album is amazing, have you heard it?",
    "i keep forgetting to water my plants",
    "my little brother won't stop talking about dinosaurs",
    "how do i reset my router, the wifi keeps dropping",
    "happy birthday!! hope you have a great day",
    "the meeting ran long but it went fine",
]


def labelled() -> list[str]:
    files = sorted((ROOT / "tests/data/crisis").rglob("*.tsv"))
    return [row.text for path in files for row in parse_rows(path.read_text(encoding="utf-8").splitlines())]


def messages(count: int, crisis_share: float = 0.25) -> list[str]:
    """A chat-like mix: most messages are everyday talk, `crisis_share` are from the labelled sets (crisis
    and hard negatives, the expensive kind: they trigger rules)."""
    hard = labelled()
    rng = random.Random(3)
    return [rng.choice(hard) if rng.random() < crisis_share else rng.choice(EVERYDAY) for _ in range(count)]


def in_process(detector: Judge, texts: list[str]) -> None:
    for text in texts[:500]:
        detector(text)  # warm up
    timings = []
    for text in texts:
        start = time.perf_counter_ns()
        detector(text)
        timings.append(time.perf_counter_ns() - start)
    timings.sort()
    total = sum(timings) / 1e9
    print(f"crisis screen (rules + learned screen), {len(texts)} messages on one core:")
    print(f"  median {statistics.median(timings) / 1000:8.1f} us   (target <= 100 us)")
    print(f"  p99    {timings[int(len(timings) * 0.99)] / 1000:8.1f} us   (target <= 1000 us)")
    print(f"  max    {timings[-1] / 1000:8.1f} us")
    print(f"  throughput {len(texts) / total:,.0f} messages/s")


def adversarial(detector: Judge) -> None:
    """The longest text the pipeline screens (20,000 characters), built to make regular expressions work hard."""
    cases = {
        "spaced letters": "k i l l " * 2500,
        "one long word": "kill" * 5000,
        "repeated slang": "kms " * 5000,
        "repeated crisis sentence": "i want to die because everything hurts and my life is falling apart " * 300,
        "punctuation": "!@#$%^&*()" * 2000,
        "repeated idioms": ("this commute is killing me lol, i could murder a pizza, dying to see the match " * 250)[
            :20000
        ],
    }
    print("adversarial 20,000-character messages:")
    for name, text in cases.items():
        start = time.perf_counter()
        detector(text)
        print(f"  {name:<26} {(time.perf_counter() - start) * 1000:7.1f} ms")


FIRST_MESSAGE = """
import time
from pathlib import Path
from bot.crisis.detector import Detector
from bot.crisis.lexicon import load_lexicon
start = time.process_time()
detector = Detector(load_lexicon(Path("prompts/crisis")))
loaded = time.process_time()
if PREPARE:
    detector.prepare()
prepared = time.process_time()
detector.detect("i want to kill myself")
done = time.process_time()
print(loaded - start, prepared - loaded, done - prepared)
"""


def first_message() -> None:
    """The first crisis message after start-up, in a fresh process: with the patterns compiled on first need (the
    CLI) it waits for them; the bot compiles them all at start-up (`Detector.prepare`)."""
    print("the first crisis message after start-up (CPU time, fresh process):")
    for prepare in (False, True):
        code = FIRST_MESSAGE.replace("PREPARE", str(prepare))
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT, check=True, text=True)
        load, compiled, first = (float(part) for part in done.stdout.split())
        how = f"compiled at start-up ({compiled:.2f} s)" if prepare else "compiled on first need"
        print(f"  patterns {how:<34} load {load:.2f} s, first message {first * 1000:7.1f} ms")


def cli(texts: list[str]) -> None:
    payload = ("\n".join(texts) + "\n").encode()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot.crisis"], input=payload, capture_output=True, cwd=ROOT, check=True
    )
    elapsed = time.perf_counter() - start
    lines = done.stdout.count(b"\n")
    if lines != len(texts):
        raise SystemExit(f"the CLI answered {lines} lines for {len(texts)} messages")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot.crisis"], input=b"", capture_output=True, cwd=ROOT, check=True)
    startup = time.perf_counter() - start
    print(f"CLI (python -m bot.crisis), {len(texts)} lines including start-up:")
    print(f"  {elapsed:.2f} s total, start-up alone {startup:.2f} s")
    print(f"  throughput {len(texts) / elapsed:,.0f} messages/s   (target >= 5,000)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20000)
    args = parser.parse_args()
    folder = ROOT / "prompts" / "crisis"
    detector = Judge(Detector(load_lexicon(folder)), load_classifier(folder / "classifier.json"))
    texts = messages(args.messages)
    print("Mix: 75% everyday chat, 25% rows of the labelled sets.")
    in_process(detector, texts)
    print("Only rows of the labelled sets (every message looks like crisis language):")
    in_process(detector, messages(args.messages, crisis_share=1.0))
    adversarial(detector)
    first_message()
    cli(texts)


if __name__ == "__main__":
    main()
