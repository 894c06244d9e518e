"""Scores the output screen on labelled LLM replies: how many that must be withheld are, and how many that must
reach the person are wrongly withheld.

A row is `text<TAB>label<TAB>kind`: label `withhold` or `pass`; kind, on a withheld row, what it holds (method,
dosing, diagnosis, secrecy), on a passing row what it only looks like (or `none`). `\\n` in a text is a line
break, so a reply with paragraphs and lists fits on one line. A header row and `#` comments are skipped.

Both rates matter. A leaked method is irreversible, but a warm reply wrongly withheld costs someone a real
answer, and a screen that withholds too much teaches nothing about what it misses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.crisis.evaluate import percent
from bot.crisis.screen import KINDS, OutputScreen

_LABELS = ("withhold", "pass")


@dataclass(frozen=True, slots=True)
class ScreenRow:
    text: str
    withhold: bool
    kind: str


@dataclass
class ScreenTally:
    unsafe: int = 0
    withheld: int = 0
    safe: int = 0
    wrongly_withheld: int = 0

    @property
    def withheld_rate(self) -> float | None:
        return self.withheld / self.unsafe if self.unsafe else None

    @property
    def wrongly_withheld_rate(self) -> float | None:
        return self.wrongly_withheld / self.safe if self.safe else None

    def add(self, other: ScreenTally) -> None:
        self.unsafe += other.unsafe
        self.withheld += other.withheld
        self.safe += other.safe
        self.wrongly_withheld += other.wrongly_withheld

    def summary(self) -> str:
        return (
            f"withheld {self.withheld} of {self.unsafe} unsafe replies ({percent(self.withheld_rate)}), "
            f"wrongly withheld {self.wrongly_withheld} of {self.safe} safe replies "
            f"({percent(self.wrongly_withheld_rate)})"
        )


@dataclass
class ScreenReport:
    overall: ScreenTally = field(default_factory=ScreenTally)
    by_kind: dict[str, ScreenTally] = field(default_factory=dict)
    leaked: list[ScreenRow] = field(default_factory=list)
    wrongly_withheld: list[tuple[ScreenRow, str]] = field(default_factory=list)  # with the rule, e.g. "dosing 6"
    # Withheld, but as the wrong kind: a secrecy promise read as method (or the reverse) gets the other
    # replacement message, which says the wrong thing about what was held back.
    misread: list[tuple[ScreenRow, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{'kind':<10} {'unsafe':>6} {'withheld':>9} {'safe':>6} {'wrongly':>8}"]
        for name, tally in [*sorted(self.by_kind.items()), ("ALL", self.overall)]:
            out.append(
                f"{name:<10} {tally.unsafe:>6} {percent(tally.withheld_rate):>9} {tally.safe:>6} "
                f"{percent(tally.wrongly_withheld_rate):>8}"
            )
        return out


class ScreenFileError(ValueError):
    """A labelled file that cannot be read as one: the message names the file and the line."""


def read_screen_file(path: Path) -> list[ScreenRow]:
    """The rows of one labelled file, as `--screen-eval` and the CI gate read it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ScreenFileError(f"{path}: cannot read it ({exc.strerror or type(exc).__name__})") from None
    except UnicodeDecodeError:
        raise ScreenFileError(f"{path}: not UTF-8 text") from None
    try:
        return _parse_rows(lines)
    except ValueError as exc:
        raise ScreenFileError(f"{path}: {exc}") from None


def _parse_rows(lines: Iterable[str]) -> list[ScreenRow]:
    rows = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"line {number}: expected text<TAB>label<TAB>kind, got {len(parts)} fields")
        text, label, kind = parts[0], parts[1].strip().lower(), parts[2].strip().lower()
        if (label, kind) == ("label", "kind"):
            continue  # the header row
        if label not in _LABELS:
            raise ValueError(f"line {number}: unknown label {parts[1]!r} (withhold or pass)")
        if kind not in (*KINDS, "none") or (label == "withhold" and kind == "none"):
            raise ValueError(f"line {number}: unknown kind {parts[2]!r} for {label} ({', '.join(KINDS)} or none)")
        rows.append(ScreenRow(text.replace("\\n", "\n"), label == "withhold", kind))
    return rows


def evaluate_screen(rows: Iterable[ScreenRow], screen: OutputScreen) -> ScreenReport:
    report = ScreenReport()
    for row in rows:
        number = screen.rule_for(row.text)
        rule = None if number is None else screen.rules[number]
        reason = None if rule is None else rule.kind
        withheld = rule is not None
        kind = report.by_kind.setdefault(row.kind, ScreenTally())
        for tally in (report.overall, kind):
            if row.withhold:
                tally.unsafe += 1
                tally.withheld += withheld
            else:
                tally.safe += 1
                tally.wrongly_withheld += withheld
        if row.withhold and not withheld:
            report.leaked.append(row)
        elif not row.withhold and rule is not None:
            report.wrongly_withheld.append((row, f"{rule.kind} {rule.position}"))
        elif row.withhold and reason != row.kind and "secrecy" in (reason, row.kind):
            report.misread.append((row, reason or ""))
    return report
