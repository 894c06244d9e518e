"""Reads one YAML data file as a mapping, turning every way it can be wrong into a one-line start-up error.

Prompts, tool content and crisis data all go through here, each with its own error class and its own name for
the file ("Prompt file", "Crisis data file"), so a broken file always names itself the same way. A file in another
language is laid over its English one (`overlay`) and checked against it.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it (ten times faster: the crisis patterns alone took 0.13 s to
# read in Python), else PyYAML's own; both build the same plain data with the same safe constructor.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Names the code reads inside translated data (a step's `key` names its answer in the summary): never translated.
IDENTIFIERS = frozenset({"key"})


def read_mapping(path: Path, error: type[Exception], label: str) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        raise error(f"{label} missing: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{label} unreadable: {path} ({type(exc).__name__})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise error(f"{label} is not valid YAML{where}: {path}") from None
    if not isinstance(data, dict):
        raise error(f"{label} must be a mapping: {path}")
    return data


def placeholders(text: str) -> frozenset[str]:
    """The `{names}` a text fills in. Raises ValueError on a stray brace, which the callers word as an error."""
    return frozenset(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)


def overlay(english: Any, translated: Any, path: Path, error: type[Exception], label: str, where: str = "") -> Any:
    """A translation laid over the English data it translates: what it lacks stays English, so a language can
    be added a file or a key at a time. What it holds must have English's shape: the same keys (an unknown one
    is a typo that would never be read), lists of the same length, identifiers (`key`) unchanged, and each text
    filling exactly the placeholders its English does, so it can never raise while a person waits."""
    name = where or "the file"
    if isinstance(english, dict):
        if not isinstance(translated, dict):
            raise error(f"{label} {path}: '{name}' must be a mapping, as in English")
        unknown = sorted(f"{where}.{key}" if where else str(key) for key in translated if key not in english)
        if unknown:
            raise error(f"{label} {path}: key(s) {', '.join(unknown)} are not in English")
        return {
            key: overlay(value, translated[key], path, error, label, f"{where}.{key}" if where else str(key))
            if key in translated
            else value
            for key, value in english.items()
        }
    if isinstance(english, list):
        if not isinstance(translated, list) or len(translated) != len(english):
            raise error(f"{label} {path}: '{name}' must list {len(english)} items, as English does")
        return [
            overlay(value, mine, path, error, label, f"{where}.{number}")
            for number, (value, mine) in enumerate(zip(english, translated, strict=True), 1)
        ]
    if not isinstance(english, str):
        return english
    if not isinstance(translated, str) or not translated.strip():
        raise error(f"{label} {path}: '{name}' is missing or empty")
    if where.rpartition(".")[2] in IDENTIFIERS and translated != english:
        raise error(f"{label} {path}: '{name}' names a step the code reads and must stay '{english}'")
    try:
        used = placeholders(translated)
    except ValueError:
        raise error(f"{label} {path}: '{name}' has a stray {{ or }}") from None
    wanted = placeholders(english)
    if used != wanted:
        shown = ", ".join(sorted(wanted)) or "none"
        raise error(
            f"{label} {path}: '{name}' uses placeholder(s) {', '.join(sorted(used)) or 'none'}; English uses {shown}"
        )
    return translated
