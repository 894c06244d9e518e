"""The country codes Hearth accepts, from `prompts/countries.txt` (ISO 3166-1 alpha-2), checked at start-up.

A code is accepted when it names a real country, whether or not Hearth has crisis lines of its own for it (Greece
gets findahelpline.com, which lists free lines in every country); "ZZ" is refused with how to choose one, so a
typo never silently becomes the international fallback. The aliases of the crisis directory (UK for GB, EL for
GR) are accepted too. The file is generated from tzdata (scripts/generate_countries.py): nothing under /usr/share
is read at run time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.prompts import PromptError

_ROW = re.compile(r"([A-Z]{2})\t(\S.*)")


class CountryDataError(PromptError):
    """`prompts/countries.txt` is missing or malformed: one line naming the file (a start-up error)."""


@dataclass(frozen=True)
class Countries:
    names: Mapping[str, str]
    aliases: Mapping[str, str]

    def known(self, code: str | None) -> bool:
        """Whether `code` (any case, surrounding spaces ignored) is a country code Hearth accepts."""
        if not code:
            return False
        code = code.strip().upper()
        return code in self.names or code in self.aliases


def load_countries(path: Path, aliases: Mapping[str, str]) -> Countries:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CountryDataError(f"Country list missing: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CountryDataError(f"Country list unreadable: {path} ({type(exc).__name__})") from None
    names: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        row = _ROW.fullmatch(line.rstrip())
        if row is None:
            raise CountryDataError(f"Country list {path}, line {number}: expected a two-letter code, a tab, a name")
        if row[1] in names:
            raise CountryDataError(f"Country list {path}, line {number}: {row[1]} is listed twice")
        names[row[1]] = row[2]
    if not names:
        raise CountryDataError(f"Country list {path} lists no countries")
    unknown = sorted(target for target in aliases.values() if target not in names)
    if unknown:
        raise CountryDataError(f"Country list {path} lacks {', '.join(unknown)}, which an alias points to")
    return Countries(names=names, aliases=aliases)
