"""The country codes Hearth accepts, from `prompts/countries.txt` (ISO 3166-1 alpha-2), checked at start-up, and
the names people type for them instead, from `prompts/country_names/<language>.yaml`.

A code is accepted when it names a real country, whether or not Hearth has crisis lines of its own for it (Greece
gets findahelpline.com, which lists free lines in every country); "ZZ" is refused with how to choose one, so a
typo never silently becomes the international fallback. The aliases of the crisis directory (UK for GB, EL for
GR) are accepted too. The file is generated from tzdata (scripts/generate_countries.py): nothing under /usr/share
is read at run time.

A name is accepted in any of Hearth's languages, whichever language the person writes in ("Deutschland",
"états-unis", "Reino Unido", "england"): the English names of countries.txt, and the names and aliases each
language's file lists. Names are compared folded (`fold`): case, accents, dots, apostrophes, hyphens and a leading
"the" do not matter. A name two codes claim is a start-up error, naming the files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.prompts import PromptError, language_files
from bot.yamlfile import read_mapping

_ROW = re.compile(r"([A-Z]{2})\t(\S.*)")
# What folding maps before accents are dropped: letters Unicode does not decompose, "&" as a word, and marks
# people leave out or put in ("U.S.A.", "Côte d'Ivoire").
_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
                       "đ": "d", "Đ": "d", "&": " and ", ".": "", "'": "", "’": ""})  # fmt: skip
_NOT_A_LETTER = re.compile(r"[^0-9a-z]+")


def fold(name: str) -> str:
    """A country's name as Hearth compares it: "The Netherlands" and "netherlands", "États-Unis" and "etats
    unis", "Saint Lucia" and "St. Lucia" fold alike."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    words = _NOT_A_LETTER.sub(" ", plain).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join("st" if word == "saint" else word for word in words)


class CountryDataError(PromptError):
    """`prompts/countries.txt` is missing or malformed: one line naming the file (a start-up error)."""


@dataclass(frozen=True)
class Countries:
    names: Mapping[str, str]
    aliases: Mapping[str, str]
    # A folded name (`fold`) → its code, in every language.
    by_name: Mapping[str, str] = field(default_factory=dict)

    def known(self, code: str | None) -> bool:
        """Whether `code` (any case, surrounding spaces ignored) is a country code Hearth accepts."""
        if not code:
            return False
        code = code.strip().upper()
        return code in self.names or code in self.aliases

    def code_of(self, typed: str | None) -> str | None:
        """The code for what someone typed: a code or an alias as it is ("de" → "DE", "uk" → "UK"), a country's
        name in any of Hearth's languages ("Deutschland" → "DE", "EE. UU." → "US"); None for none of these."""
        if not typed or not typed.strip():
            return None
        if self.known(typed):
            return typed.strip().upper()
        return self.by_name.get(fold(typed))


def load_countries(path: Path, aliases: Mapping[str, str], names_folder: Path | None = None) -> Countries:
    """The codes of `path` (countries.txt) and the directory's `aliases`; with `names_folder`, the names each
    language's file there lists (English required), beside the English names of countries.txt."""
    names = _read_codes(path)
    unknown = sorted(target for target in aliases.values() if target not in names)
    if unknown:
        raise CountryDataError(f"Country list {path} lacks {', '.join(unknown)}, which an alias points to")
    by_name: dict[str, str] = {}
    claimed: dict[str, Path] = {}
    for code, name in names.items():
        _claim(by_name, claimed, fold(name), code, path)
    if names_folder is not None:
        for language_path in language_files(names_folder).values():
            for code, typed in _read_names(language_path, names).items():
                for name in typed:
                    _claim(by_name, claimed, fold(name), code, language_path)
    return Countries(names=names, aliases=aliases, by_name=by_name)


def _claim(by_name: dict[str, str], claimed: dict[str, Path], name: str, code: str, path: Path) -> None:
    earlier = by_name.setdefault(name, code)
    if earlier != code:
        raise CountryDataError(
            f"Country names {path}: '{name}' is {code} here but {earlier} in {claimed[name]}; a name must be one "
            f"country's (leave an ambiguous one out)"
        )
    claimed.setdefault(name, path)


def _read_names(path: Path, codes: Mapping[str, str]) -> dict[str, list[str]]:
    """One language's file: each ISO code (quoted "NO", which YAML would read as false) → its names."""
    data = read_mapping(path, CountryDataError, "Country names file")
    read: dict[str, list[str]] = {}
    for code, typed in data.items():
        if not isinstance(code, str) or code not in codes:
            raise CountryDataError(f'Country names {path}: {code!r} is not a code in countries.txt (quote "NO")')
        if not isinstance(typed, list) or not typed:
            raise CountryDataError(f"Country names {path}: {code} must list its names")
        for name in typed:
            if not isinstance(name, str) or len(fold(name)) < 2:
                raise CountryDataError(f"Country names {path}: {code} has a name that is empty or no word: {name!r}")
        read[code] = typed
    return read


def _read_codes(path: Path) -> dict[str, str]:
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
    return names
