"""Reads one YAML data file as a mapping, turning every way it can be wrong into a one-line start-up error.

Prompts, tool content and crisis data all go through here, each with its own error class and its own name for
the file ("Prompt file", "Crisis data file"), so a broken file always names itself the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it (ten times faster: the crisis patterns alone took 0.13 s to
# read in Python), else PyYAML's own; both build the same plain data with the same safe constructor.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
