"""`python -m bot.crisis`: screen messages from stdin, one per line, one JSON object per line on stdout.

`python -m bot.crisis --eval FILE.tsv [...]` prints recall and false-positive rate per category instead, and
`python -m bot.crisis --screen-eval FILE.tsv [...]` scores the output screen (what every LLM reply passes) on
labelled replies: how many unsafe ones it withholds, how many safe ones it wrongly withholds.
Each line is screened on its own: no Redis, no conversation, no LLM (DESIGN.md, "The crisis screen").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.crisis.classifier import load_classifier
from bot.crisis.detector import Detector
from bot.crisis.evaluate import Report, Row, Tally, evaluate, parse_rows
from bot.crisis.judge import Judge
from bot.crisis.lexicon import CrisisDataError, load_lexicon
from bot.crisis.screen import OutputScreen, load_screen
from bot.crisis.screen_eval import ScreenFileError, ScreenTally, evaluate_screen, read_screen_file
from bot.models import Level

_BATCH = 512


def _default_folder() -> Path:
    return Path(__file__).resolve().parents[2] / "prompts" / "crisis"


def screen(judge: Judge) -> None:
    out: list[str] = []
    stdin = sys.stdin.buffer
    for raw in stdin:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        verdict = judge(text)
        categories = ",".join(f'"{c.value}"' for c in sorted(verdict.categories))
        out.append(f'{{"level": "{verdict.level.value}", "categories": [{categories}]}}\n')
        if len(out) >= _BATCH:
            sys.stdout.write("".join(out))
            sys.stdout.flush()
            out.clear()
    sys.stdout.write("".join(out))
    sys.stdout.flush()


def _evaluate(judge: Judge, rows: list[Row]) -> Report:
    verdicts = {row.text: judge(row.text) for row in rows}
    return evaluate(rows, lambda text: verdicts[text].level, lambda text: verdicts[text].learned is Level.CONCERN)


def report(judge: Judge, files: list[Path], show: bool) -> int:
    total = Tally()
    for path in files:
        try:
            rows = parse_rows(path.read_text(encoding="utf-8").splitlines())
        except (OSError, ValueError) as exc:
            print(f"hearth crisis: {path}: {exc}", file=sys.stderr)  # noqa: T201 - the operator's one line
            return 2
        result = _evaluate(judge, rows)
        total = total + result.overall
        print(f"{path} ({len(rows)} rows)")  # noqa: T201
        print("\n".join(result.lines()))  # noqa: T201
        if show:
            for row in result.misses:
                print(f"  MISSED {row.level.value:<9} {json.dumps(row.text)}")  # noqa: T201
            for row in result.false_alarms:
                print(f"  FLAGGED {row.level.value:<8} {json.dumps(row.text)}")  # noqa: T201
    if len(files) > 1:
        print(f"all {len(files)} files: {total.summary()}")  # noqa: T201
    return 0


def screen_report(screen: OutputScreen, files: list[Path], show: bool) -> int:
    total = ScreenTally()
    for path in files:
        try:
            rows = read_screen_file(path)
        except ScreenFileError as exc:
            print(f"hearth crisis: {exc}", file=sys.stderr)  # noqa: T201 - the operator's one line
            return 2
        result = evaluate_screen(rows, screen)
        total.add(result.overall)
        print(f"{path} ({len(rows)} replies): {result.overall.summary()}")  # noqa: T201
        print("\n".join(result.lines()))  # noqa: T201
        if show:
            for row in result.leaked:
                print(f"  LEAKED {row.kind:<9} {json.dumps(row.text, ensure_ascii=False)}")  # noqa: T201
            for row, rule in result.wrongly_withheld:
                print(f"  WITHHELD by {rule:<12} {json.dumps(row.text, ensure_ascii=False)}")  # noqa: T201
            for row, reason in result.misread:
                print(f"  READ AS {reason:<8} {json.dumps(row.text, ensure_ascii=False)}")  # noqa: T201
    if len(files) > 1:
        print(f"all {len(files)} files: {total.summary()}")  # noqa: T201
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.crisis", description="Screen messages for crisis signs.")
    parser.add_argument("--eval", nargs="+", type=Path, metavar="FILE.tsv", help="score labelled files instead")
    parser.add_argument(
        "--screen-eval",
        nargs="+",
        type=Path,
        metavar="FILE.tsv",
        help="score the LLM output screen on labelled replies",
    )
    parser.add_argument("--show", action="store_true", help="with --eval or --screen-eval: list what it got wrong")
    parser.add_argument("--data", type=Path, default=None, help="crisis data folder (default: prompts/crisis)")
    parser.add_argument("--rules-only", action="store_true", help="leave out the learned screen")
    args = parser.parse_args(argv)
    folder = args.data or _default_folder()
    if args.screen_eval:
        try:
            output_screen = load_screen(folder / "screen.yaml")
        except CrisisDataError as exc:
            print(f"hearth crisis: {exc}", file=sys.stderr)  # noqa: T201
            return 2
        return screen_report(output_screen, args.screen_eval, args.show)
    try:
        detector = Detector(load_lexicon(folder))
        classifier = None if args.rules_only else load_classifier(folder / "classifier.json")
    except CrisisDataError as exc:
        print(f"hearth crisis: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    judge = Judge(detector, classifier)
    if args.eval:
        return report(judge, args.eval, args.show)
    screen(judge)
    return 0


if __name__ == "__main__":
    sys.exit(main())
