"""The core's light markdown (`**Box breathing**`, an LLM's `*gently*`) as a terminal shows it.

On a terminal that takes colour, bold and italics become ANSI styles; piped output, `NO_COLOR` and `TERM=dumb`
get the words alone, so a scripted conversation reads as plain text. Only markers that open and close around
words on one line count: `2 * 3 * 4`, `snake_case` and `jo@samaritans.org` are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_BOLD = re.compile(r"(?<![*\w])\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*(?![*\w])|(?<![_\w])__(?=\S)([^_\n]+?)(?<=\S)__(?![_\w])")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])|(?<![_\w])_(?=\S)([^_\n]+?)(?<=\S)_(?![_\w])")
_BOLD_ON, _ITALIC_ON, _OFF = "\x1b[1m", "\x1b[3m", "\x1b[0m"


def styled_output(is_tty: bool, environ: Mapping[str, str]) -> bool:
    """ANSI styles only for a terminal, and never when NO_COLOR is set (no-color.org) or the terminal is dumb."""
    return is_tty and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def for_terminal(text: str, *, styled: bool) -> str:
    bold = (_BOLD_ON, _OFF) if styled else ("", "")
    italic = (_ITALIC_ON, _OFF) if styled else ("", "")
    text = _BOLD.sub(lambda match: f"{bold[0]}{match[1] or match[2]}{bold[1]}", text)
    return _ITALIC.sub(lambda match: f"{italic[0]}{match[1] or match[2]}{italic[1]}", text)
