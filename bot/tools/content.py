"""Loads the tools' content from `prompts/tools/` and checks it at start-up, like every prompt file."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.prompts import PromptError
from bot.yamlfile import read_mapping


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    ask: str


@dataclass(frozen=True, slots=True)
class FlowContent:
    """A step-by-step exercise: ask each step in turn, then show `summary` filled with the answers."""

    name: str
    intro: str
    steps: tuple[Step, ...]
    summary: str


@dataclass(frozen=True, slots=True)
class ToolContent:
    breathing_intro: str
    breathing: dict[str, tuple[str, tuple[str, ...]]]
    breathing_outro: str
    breathing_unknown: str
    journal_intro: str
    journal: tuple[str, ...]
    journal_outro: str
    learn_intro: str
    cards: dict[str, tuple[str, str]]
    flows: dict[str, FlowContent]


def load_tools(folder: Path) -> ToolContent:
    breathing = _load(folder / "breathing.yaml")
    journal = _load(folder / "journal.yaml")
    learn = _load(folder / "learn.yaml")
    exercises = _mapping(breathing, "exercises", folder / "breathing.yaml")
    cards = _mapping(learn, "cards", folder / "learn.yaml")
    return ToolContent(
        breathing_intro=_text(breathing, "intro", folder / "breathing.yaml"),
        breathing={
            key: (_text(value, "name", folder / "breathing.yaml"), _texts(value, "steps", folder / "breathing.yaml"))
            for key, value in exercises.items()
        },
        breathing_outro=_text(breathing, "outro", folder / "breathing.yaml"),
        breathing_unknown=_text(breathing, "unknown", folder / "breathing.yaml"),
        journal_intro=_text(journal, "intro", folder / "journal.yaml"),
        journal=_texts(journal, "prompts", folder / "journal.yaml"),
        journal_outro=_text(journal, "outro", folder / "journal.yaml"),
        learn_intro=_text(learn, "intro", folder / "learn.yaml"),
        cards={
            str(key): (_text(value, "title", folder / "learn.yaml"), _text(value, "text", folder / "learn.yaml"))
            for key, value in cards.items()
        },
        flows={name: _flow(name, folder / f"{name}.yaml") for name in ("ground", "reframe", "prepare")},
    )


def _flow(name: str, path: Path) -> FlowContent:
    data = _load(path)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise PromptError(f"Prompt file {path}: 'steps' must be a non-empty list")
    steps = tuple(Step(_text(step, "key", path), _text(step, "ask", path)) for step in raw_steps)
    summary = _text(data, "summary", path)
    used = {field for _, field, _, _ in string.Formatter().parse(summary) if field is not None}
    unknown = used - {step.key for step in steps}
    if unknown:
        raise PromptError(f"Prompt file {path}: summary uses unknown placeholder(s) {', '.join(sorted(unknown))}")
    return FlowContent(name, _text(data, "intro", path), steps, summary)


def _load(path: Path) -> dict[str, Any]:
    return read_mapping(path, PromptError, "Prompt file")


def _text(data: Any, key: str, path: Path) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise PromptError(f"Prompt file {path}: '{key}' is missing or empty")
    return value.strip()


def _texts(data: Any, key: str, path: Path) -> tuple[str, ...]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise PromptError(f"Prompt file {path}: '{key}' must be a non-empty list of texts")
    return tuple(item.strip() for item in value)


def _mapping(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict) or not value:
        raise PromptError(f"Prompt file {path}: '{key}' must be a non-empty mapping")
    return value
