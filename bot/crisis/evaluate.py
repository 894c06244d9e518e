"""Scores the detector on a labelled TSV file: recall on crisis rows, false positives on safe rows.

A row is `text<TAB>level<TAB>categories` (categories comma-separated; on a safe row they name what the message
only looks like, e.g. "this commute is killing me" → suicide). A header row and `#` comments are skipped.
Levels may also be written safe/negative/0 (→ none) or crisis/positive/1 (→ urgent), so other people's
sets can be scored too. "Caught" means urgent or imminent: what takes the LLM out of the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, field

from bot.models import Level

_ALIASES = {
    "safe": "none",
    "negative": "none",
    "0": "none",
    "no": "none",
    "crisis": "urgent",
    "positive": "urgent",
    "1": "urgent",
    "yes": "urgent",
}


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    level: Level
    categories: frozenset[str]

    @property
    def crisis(self) -> bool:
        return self.level.at_least(Level.URGENT)


@dataclass
class Tally:
    crisis: int = 0
    caught: int = 0
    safe: int = 0
    flagged: int = 0
    asked: int = 0  # crisis rows not caught that the learned screen would ask about directly
    safe_asked: int = 0  # safe rows it would ask about

    @property
    def recall(self) -> float | None:
        return self.caught / self.crisis if self.crisis else None

    @property
    def fpr(self) -> float | None:
        return self.flagged / self.safe if self.safe else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(mine + theirs for mine, theirs in zip(astuple(self), astuple(other), strict=True)))

    def summary(self) -> str:
        return (
            f"recall {self.caught} of {self.crisis} crisis rows ({percent(self.recall)}), "
            f"false positives {self.flagged} of {self.safe} safe rows ({percent(self.fpr)})"
        )


@dataclass
class Report:
    overall: Tally = field(default_factory=Tally)
    by_category: dict[str, Tally] = field(default_factory=dict)
    misses: list[Row] = field(default_factory=list)
    false_alarms: list[Row] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{'category':<16} {'crisis':>6} {'recall':>7} {'safe':>6} {'FPR':>7}"]
        for name, tally in [*sorted(self.by_category.items()), ("ALL", self.overall)]:
            recall, fpr = percent(tally.recall), percent(tally.fpr)
            out.append(f"{name:<16} {tally.crisis:>6} {recall:>7} {tally.safe:>6} {fpr:>7}")
        total = self.overall
        if total.asked or total.safe_asked:
            reached = (total.caught + total.asked) / total.crisis if total.crisis else None
            asked_safe = total.safe_asked / total.safe if total.safe else None
            out.append(
                f"asked directly (learned screen): crisis rows caught or asked {percent(reached)}, "
                f"safe rows asked {percent(asked_safe)}"
            )
        return out


def parse_rows(lines: Iterable[str]) -> list[Row]:
    rows = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            raise ValueError(f"expected text<TAB>level[<TAB>categories], got {line[:60]!r}")
        label = _ALIASES.get(parts[1].strip().lower(), parts[1].strip().lower())
        if label in ("level", "label"):
            continue  # a header row
        if label not in Level._value2member_map_:
            raise ValueError(f"unknown level {parts[1]!r} in {line[:60]!r}")
        categories = frozenset(c.strip() for c in (parts[2] if len(parts) > 2 else "").split(",") if c.strip())
        rows.append(Row(parts[0], Level(label), categories))
    return rows


def evaluate(
    rows: Iterable[Row], level_of: Callable[[str], Level], asks: Callable[[str], bool] | None = None
) -> Report:
    """`asks`: whether Hearth would ask this message the direct question (the learned screen), if it is not
    already caught. Asking is not counted as caught: recall and FPR are the rules' own."""
    report = Report()
    for row in rows:
        flagged = level_of(row.text).at_least(Level.URGENT)
        asked = not flagged and asks is not None and asks(row.text)
        if asked:
            report.overall.asked += row.crisis
            report.overall.safe_asked += not row.crisis
        tallies = [report.overall] + [report.by_category.setdefault(c, Tally()) for c in sorted(row.categories)]
        for tally in tallies:
            if row.crisis:
                tally.crisis += 1
                tally.caught += flagged
            else:
                tally.safe += 1
                tally.flagged += flagged
        if row.crisis and not flagged:
            report.misses.append(row)
        if not row.crisis and flagged:
            report.false_alarms.append(row)
    return report


def percent(value: float | None) -> str:
    """A rate as the reports print it ("92.4%"), or "-" where there was nothing to count."""
    return "-" if value is None else f"{value:.1%}"
