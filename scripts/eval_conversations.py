"""Score the crisis screen on whole conversations, through the real pipeline, as a person would meet it.

    .venv/bin/python scripts/eval_conversations.py tests/data/crisis/conversations_a.tsv [--json] [--show]

`python -m bot.crisis --eval` judges each message alone. In the bot, an earlier message of distress (kept in
Redis for `CRISIS_MODE_TTL`, as levels and categories, never text) raises a later ambiguous one: "which bridge
is highest" after "I'm a burden to everyone" is a crisis, the same question in a trivia chat is not. This runs
each conversation's messages, in order, through `pipeline.handle()` of an app built as `python -m bot` builds
it (a private, non-persistent Redis; no language model, so nothing leaves the machine), one person per
conversation, and counts what they got back: the crisis reply ("caught") or a direct, gentle question
("asked").

A row is `conversation<TAB>text<TAB>level<TAB>categories`; a conversation's rows are consecutive and in order,
each labelled with the level it should get in the light of the earlier ones. It prints, per message, recall on
crisis rows and false positives on safe ones (as the message eval does), and per conversation: how many crisis
conversations got the crisis reply by their first crisis message, and how many safe ones never got it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.bootstrap import App, running  # noqa: E402
from bot.config import ConfigError, load_settings  # noqa: E402
from bot.crisis.evaluate import Row, parse_rows  # noqa: E402
from bot.models import IncomingMessage, Level, Platform  # noqa: E402

SECRET = b"conversation-eval"  # pseudonyms for this run only; nothing is kept after it


@dataclass(frozen=True)
class Conversation:
    name: str
    rows: tuple[Row, ...]

    @property
    def crisis(self) -> bool:
        return any(row.crisis for row in self.rows)


@dataclass
class Figures:
    crisis_rows: int = 0
    caught_rows: int = 0
    asked_rows: int = 0  # crisis rows not caught that got a direct question
    safe_rows: int = 0
    flagged_rows: int = 0
    flagged_concern_rows: int = 0  # of those, rows labelled concern (distress short of a crisis)
    safe_asked_rows: int = 0
    crisis_conversations: int = 0
    caught_in_time: int = 0  # the crisis reply came at or before the first crisis message
    # Of those, the ones where the first crisis message itself got it: an earlier false alarm also puts the lines
    # in front of the person (and counts as in time), but a screen that stops crying wolf must not look worse.
    caught_on_message: int = 0
    caught_late: int = 0
    safe_conversations: int = 0
    safe_never_flagged: int = 0
    misses: list[str] = field(default_factory=list)  # "conversation:turn", never text
    false_alarms: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "message_recall": _share(self.caught_rows, self.crisis_rows),
            "message_false_positives": _share(self.flagged_rows, self.safe_rows),
            "crisis_conversations_caught_in_time": _share(self.caught_in_time, self.crisis_conversations),
            "crisis_conversations_caught_on_the_message": _share(self.caught_on_message, self.crisis_conversations),
            "crisis_conversations_caught_at_all": _share(
                self.caught_in_time + self.caught_late, self.crisis_conversations
            ),
            "safe_conversations_never_flagged": _share(self.safe_never_flagged, self.safe_conversations),
            "crisis_rows": self.crisis_rows,
            "safe_rows": self.safe_rows,
            "crisis_conversations": self.crisis_conversations,
            "safe_conversations": self.safe_conversations,
        }

    def lines(self) -> list[str]:
        shown = self.as_dict()
        return [
            f"messages in context: recall {shown['message_recall']:.1%} of {self.crisis_rows} crisis rows "
            f"(+{self.asked_rows} asked directly), false positives {shown['message_false_positives']:.1%} of "
            f"{self.safe_rows} safe rows ({self.flagged_concern_rows} of them labelled concern; "
            f"{self.safe_asked_rows} asked directly)",
            f"crisis conversations: {self.caught_in_time} of {self.crisis_conversations} got the crisis reply by "
            f"their first crisis message ({self.caught_on_message} on that message itself), {self.caught_late} only "
            "later",
            f"safe conversations: {self.safe_never_flagged} of {self.safe_conversations} never got it",
        ]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def parse_conversations(lines: list[str]) -> list[Conversation]:
    """Rows grouped by their first column; a conversation's rows must be consecutive."""
    grouped: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, _, rest = line.partition("\t")
        if not rest:
            raise ValueError(f"line {number}: needs conversation<TAB>text<TAB>level<TAB>categories")
        if name == "conversation":
            continue  # the header
        if not grouped or grouped[-1][0] != name:
            if name in seen:
                raise ValueError(f"line {number}: conversation {name!r} is split; keep its rows together")
            seen.add(name)
            grouped.append((name, []))
        grouped[-1][1].append(rest)
    return [Conversation(name, tuple(parse_rows(rows))) for name, rows in grouped]


async def score(app: App, conversations: list[Conversation], file: str = "") -> Figures:
    """Each conversation is its own person in its own place; `file` keeps two files' conversations of the same
    name apart, or the second would start with the first one's context."""
    figures = Figures()
    ids = app.ids
    for conversation in conversations:
        tenant, user = ids("tenant", "eval"), ids("user", "eval", file, conversation.name)
        place = ids("conversation", "eval", file, conversation.name)
        first_crisis = next((i for i, row in enumerate(conversation.rows) if row.crisis), None)
        caught_at: int | None = None
        caught_first = False
        for turn, row in enumerate(conversation.rows):
            reply = await app.pipeline.handle(IncomingMessage(Platform.CONSOLE, tenant, place, user, row.text))
            caught, asked = reply.kind == "crisis", reply.kind == "check_in"
            if caught and caught_at is None:
                caught_at = turn
            caught_first = caught_first or (caught and turn == first_crisis)
            where = f"{conversation.name}:{turn + 1}"
            if row.crisis:
                figures.crisis_rows += 1
                figures.caught_rows += caught
                figures.asked_rows += asked
                if not caught:
                    figures.misses.append(where)
            else:
                figures.safe_rows += 1
                figures.flagged_rows += caught
                figures.flagged_concern_rows += caught and row.level is Level.CONCERN
                figures.safe_asked_rows += asked
                if caught:
                    figures.false_alarms.append(where)
        if first_crisis is None:
            figures.safe_conversations += 1
            figures.safe_never_flagged += caught_at is None
        else:
            figures.crisis_conversations += 1
            if caught_at is not None and caught_at <= first_crisis:
                figures.caught_in_time += 1
                figures.caught_on_message += caught_first
            elif caught_at is not None:
                figures.caught_late += 1
    return figures


async def _run(files: list[Path]) -> dict[Path, Figures]:
    conversations = {path: parse_conversations(path.read_text(encoding="utf-8").splitlines()) for path in files}
    # No language model and no tokens: the screen, the context and the deterministic replies are what is scored.
    settings = load_settings(
        env_file=None, openai_api_key=None, openai_base_url=None, crisis_moderation=False, redis_url=None
    )
    results: dict[Path, Figures] = {}
    async with running(settings, hash_secret=SECRET) as app:
        for path, parsed in conversations.items():
            results[path] = await score(app, parsed, str(path))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE.tsv")
    parser.add_argument("--json", action="store_true", help="one JSON object per file")
    parser.add_argument("--show", action="store_true", help="list missed and wrongly flagged turns by position")
    args = parser.parse_args(argv)
    try:
        results = asyncio.run(_run(args.files))
    except (OSError, ValueError, ConfigError) as exc:
        print(f"eval_conversations: {exc}", file=sys.stderr)  # noqa: T201 - the operator's one line
        return 2
    for path, figures in results.items():
        if args.json:
            print(json.dumps({"file": str(path), **figures.as_dict()}))  # noqa: T201
            continue
        print(path)  # noqa: T201
        print("\n".join(f"  {line}" for line in figures.lines()))  # noqa: T201
        if args.show:
            print(f"  missed: {' '.join(figures.misses) or '-'}")  # noqa: T201
            print(f"  flagged: {' '.join(figures.false_alarms) or '-'}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
