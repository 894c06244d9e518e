"""Loads the tools' content from `prompts/tools/<language>/` and checks it at start-up, like every prompt file.

English (`prompts/tools/en/`) is required and complete. Another language's folder holds the files it translates;
each is laid over its English file (bot/yamlfile.py, `overlay`), so a file or key not yet translated is shown
in English, and what is translated keeps English's shape: the same exercises, cards and steps (their names are
what people type after the command, and the answers' names the summary fills in), and the same placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.crisis.language import DEFAULT_LANGUAGE
from bot.prompts import PromptError, language_files
from bot.yamlfile import overlay, placeholders, read_mapping

FLOWS = ("ground", "reframe", "prepare")
FILES = ("breathing", "journal", "learn", "checkin", *FLOWS)


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
class CheckinForm:
    """The check-in as a form where a platform has one (Slack's modal): its heading and buttons, the question over
    the moods (`CheckinContent.labels`), the note's label, and what is kept ({time}, as /about says it)."""

    title: str
    submit: str
    cancel: str
    question: str
    placeholder: str
    note: str
    kept: str


@dataclass(frozen=True, slots=True)
class CheckinContent:
    """What /checkin says. Each text fills only the placeholders `CHECKIN` gives it, checked at start-up."""

    labels: tuple[str, ...]  # the moods 1 to 5
    form: CheckinForm
    ask: str
    wrong: str
    thanks: str
    lowest: str
    none: str
    last_one: str
    last_many: str
    decimal: str


# /checkin's texts and the placeholders each fills.
CHECKIN = {
    "ask": frozenset({"time"}),
    "wrong": frozenset(),
    "thanks": frozenset({"label", "score", "chart"}),
    "lowest": frozenset(),
    "none": frozenset(),
    "last_one": frozenset({"chart", "score"}),
    "last_many": frozenset({"n", "chart", "average"}),
    "decimal": frozenset(),
}
# The form's texts and the placeholders each fills. A form's heading and buttons are short: Slack refuses a modal
# whose title, submit or close text is longer than 24 characters, so that is checked at start-up, not at a press.
CHECKIN_FORM = {
    "title": frozenset(),
    "submit": frozenset(),
    "cancel": frozenset(),
    "question": frozenset(),
    "placeholder": frozenset(),
    "note": frozenset(),
    "kept": frozenset({"time"}),
}
FORM_SHORT = ("title", "submit", "cancel")
FORM_SHORT_LIMIT = 24


@dataclass(frozen=True, slots=True)
class ToolContent:
    language: str
    breathing_intro: str
    breathing: dict[str, tuple[str, tuple[str, ...]]]
    breathing_outro: str
    breathing_unknown: str
    breathing_others: str
    journal_intro: str
    journal: tuple[str, ...]
    journal_outro: str
    learn_intro: str
    learn_missing: str
    cards: dict[str, tuple[str, str]]
    flows: dict[str, FlowContent]
    checkin: CheckinContent


@dataclass(frozen=True)
class ToolBook:
    """The tools' content in every language it is written in."""

    by_language: Mapping[str, ToolContent]

    def __call__(self, language: str | None = None) -> ToolContent:
        return self.by_language.get(language or DEFAULT_LANGUAGE, self.by_language[DEFAULT_LANGUAGE])


def load_tools(folder: Path) -> ToolBook:
    languages = language_files(folder, suffix="")
    english = {name: _load(languages[DEFAULT_LANGUAGE] / f"{name}.yaml") for name in FILES}
    by_language = {DEFAULT_LANGUAGE: _content(DEFAULT_LANGUAGE, languages[DEFAULT_LANGUAGE], english)}
    for language, own in languages.items():
        if language == DEFAULT_LANGUAGE:
            continue
        unknown = sorted(path.name for path in own.glob("*.yaml") if path.stem not in FILES)
        if unknown:
            raise PromptError(f"Prompt file {own / unknown[0]}: no such tool in English ({', '.join(FILES)})")
        data = {name: _translated(english[name], own / f"{name}.yaml") for name in FILES}
        by_language[language] = _content(language, own, data)
    return ToolBook(by_language)


def _translated(english: dict[str, Any], path: Path) -> dict[str, Any]:
    """A tool's file in another language over its English; English alone where it is not translated yet."""
    if not path.exists():
        return english
    translated: dict[str, Any] = overlay(english, _load(path), path, PromptError, "Prompt file")
    return translated


def _content(language: str, folder: Path, data: dict[str, dict[str, Any]]) -> ToolContent:
    breathing, journal, learn = data["breathing"], data["journal"], data["learn"]
    at = {name: folder / f"{name}.yaml" for name in FILES}
    exercises = _mapping(breathing, "exercises", at["breathing"])
    cards = _mapping(learn, "cards", at["learn"])
    return ToolContent(
        language=language,
        breathing_intro=_text(breathing, "intro", at["breathing"]),
        breathing={
            key: (_text(value, "name", at["breathing"]), _texts(value, "steps", at["breathing"]))
            for key, value in exercises.items()
        },
        breathing_outro=_text(breathing, "outro", at["breathing"]),
        breathing_unknown=_text(breathing, "unknown", at["breathing"]),
        breathing_others=_filled(breathing, "others", at["breathing"], frozenset({"others"})),
        journal_intro=_text(journal, "intro", at["journal"]),
        journal=_texts(journal, "prompts", at["journal"]),
        journal_outro=_text(journal, "outro", at["journal"]),
        learn_intro=_text(learn, "intro", at["learn"]),
        learn_missing=_text(learn, "missing", at["learn"]),
        cards={
            str(key): (_text(value, "title", at["learn"]), _text(value, "text", at["learn"]))
            for key, value in cards.items()
        },
        flows={name: _flow(name, at[name], data[name]) for name in FLOWS},
        checkin=_checkin(data["checkin"], at["checkin"]),
    )


def _checkin(data: dict[str, Any], path: Path) -> CheckinContent:
    labels = _texts(data, "labels", path)
    if len(labels) != 5:
        raise PromptError(f"Prompt file {path}: 'labels' must name the 5 moods, 1 to 5")
    texts = {key: _filled(data, key, path, allowed) for key, allowed in CHECKIN.items()}
    return CheckinContent(labels=labels, form=_checkin_form(data.get("form"), path), **texts)


def _checkin_form(data: Any, path: Path) -> CheckinForm:
    if not isinstance(data, dict):
        raise PromptError(f"Prompt file {path}: 'form' must map the check-in form's texts ({', '.join(CHECKIN_FORM)})")
    texts = {key: _filled(data, key, path, allowed) for key, allowed in CHECKIN_FORM.items()}
    for key in FORM_SHORT:
        if len(texts[key]) > FORM_SHORT_LIMIT:
            raise PromptError(f"Prompt file {path}: 'form.{key}' is longer than {FORM_SHORT_LIMIT} characters")
    return CheckinForm(**texts)


def _flow(name: str, path: Path, data: dict[str, Any]) -> FlowContent:
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise PromptError(f"Prompt file {path}: 'steps' must be a non-empty list")
    steps = tuple(Step(_text(step, "key", path), _text(step, "ask", path)) for step in raw_steps)
    summary = _filled(data, "summary", path, frozenset(step.key for step in steps))
    return FlowContent(name, _text(data, "intro", path), steps, summary)


def _load(path: Path) -> dict[str, Any]:
    return read_mapping(path, PromptError, "Prompt file")


def _text(data: Any, key: str, path: Path) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise PromptError(f"Prompt file {path}: '{key}' is missing or empty")
    return value.strip()


def _filled(data: Any, key: str, path: Path, allowed: frozenset[str]) -> str:
    """A text the code fills in: it may use only the placeholders in `allowed`."""
    text = _text(data, key, path)
    try:
        unknown = placeholders(text) - allowed
    except ValueError:
        raise PromptError(f"Prompt file {path}: '{key}' has a stray {{ or }}") from None
    if unknown:
        raise PromptError(f"Prompt file {path}: {key} uses unknown placeholder(s) {', '.join(sorted(unknown))}")
    return text


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
