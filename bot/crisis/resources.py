"""Crisis lines by country, loaded from `prompts/crisis/resources.yaml` and checked at start-up.

Every line must say how to reach it (phone, text or chat) and where it came from: a number that silently
went stale is a person in crisis dialling nowhere, so an incomplete entry stops start-up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bot.crisis.lexicon import CrisisDataError, read_yaml

_CONTACTS = ("phone", "text", "chat")
# The entry for a country without lines of its own, and the site it points to (free lines in every country).
FALLBACK = "fallback"
HELPLINE_SITE = "findahelpline.com"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# "Today" where the calendar is furthest ahead (UTC+14): whoever checked a line today, anywhere, is not refused.
_EARLIEST_ZONE = timezone(timedelta(hours=14))


@dataclass(frozen=True, slots=True)
class ContactWords:
    """How a line is reached, in the reader's language (`prompts/crisis/replies/<language>.yaml`)."""

    call: str = "call {number}"
    text: str = "text {number}"
    chat: str = "chat at {address}"


ENGLISH = ContactWords()


@dataclass(frozen=True, slots=True)
class Line:
    name: str
    url: str
    phone: str | None = None
    text: str | None = None
    chat: str | None = None

    def render(self, words: ContactWords = ENGLISH) -> str:
        ways = [
            words.call.format(number=self.phone) if self.phone else "",
            _text(self.text, words),
            _chat(self.chat, self.url, words),
        ]
        how = "; ".join(way for way in ways if way)
        return f"• {self.name}: {how}" + ("" if self.url in how else f" ({self.url})")


@dataclass(frozen=True, slots=True)
class CountryLines:
    code: str
    name: str
    emergency: str
    lines: tuple[Line, ...]
    source: str
    last_verified: str

    def render(self, words: ContactWords = ENGLISH) -> str:
        return "\n".join(line.render(words) for line in self.lines)


@dataclass(frozen=True)
class Directory:
    countries: Mapping[str, CountryLines]
    aliases: Mapping[str, str]
    fallback: CountryLines

    def for_country(self, code: str | None) -> CountryLines:
        if not code:
            return self.fallback
        code = code.upper()
        return self.countries.get(self.aliases.get(code, code), self.fallback)


def load_directory(path: Path) -> Directory:
    data = read_yaml(path)
    countries = data.get("countries")
    if not isinstance(countries, dict) or not countries:
        raise CrisisDataError(f"Crisis data file {path}: 'countries' must map country codes to entries")
    aliases = data.get("aliases", {})
    if not isinstance(aliases, dict):
        raise CrisisDataError(f"Crisis data file {path}: 'aliases' must map codes to codes")
    return Directory(
        countries={str(code).upper(): _country(path, str(code).upper(), raw) for code, raw in countries.items()},
        aliases={str(k).upper(): str(v).upper() for k, v in aliases.items()},
        fallback=_country(path, FALLBACK, data.get(FALLBACK)),
    )


def _country(path: Path, code: str, raw: Any) -> CountryLines:
    if not isinstance(raw, dict):
        raise CrisisDataError(f"Crisis data file {path}: entry {code} must be a mapping")
    for key in ("name", "emergency", "source", "last_verified"):
        if not isinstance(raw.get(key), str | date) or not str(raw[key]).strip():
            raise CrisisDataError(f"Crisis data file {path}: entry {code} lacks '{key}'")
    lines = raw.get("lines")
    if not isinstance(lines, list) or not lines:
        raise CrisisDataError(f"Crisis data file {path}: entry {code} lacks 'lines'")
    return CountryLines(
        code=code,
        name=raw["name"],
        emergency=raw["emergency"],
        lines=tuple(_line(path, code, line) for line in lines),
        source=raw["source"],
        last_verified=_verified(path, code, raw["last_verified"]),
    )


def _verified(path: Path, code: str, raw: str | date) -> str:
    """`last_verified` as YYYY-MM-DD: "yesterday" or a date still to come would hide how stale a number is."""
    if isinstance(raw, datetime) or (isinstance(raw, str) and not _ISO_DATE.fullmatch(raw.strip())):
        raise CrisisDataError(
            f"Crisis data file {path}: entry {code}: 'last_verified' must be a date written YYYY-MM-DD (got {raw!r})"
        )
    try:
        day = raw if isinstance(raw, date) else date.fromisoformat(raw.strip())
    except ValueError:
        raise CrisisDataError(
            f"Crisis data file {path}: entry {code}: 'last_verified' is not a real date (got {raw!r})"
        ) from None
    if day > datetime.now(_EARLIEST_ZONE).date():
        raise CrisisDataError(
            f"Crisis data file {path}: entry {code}: 'last_verified' {day.isoformat()} is in the future"
        )
    return day.isoformat()


def _line(path: Path, code: str, raw: Any) -> Line:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not isinstance(raw.get("url"), str):
        raise CrisisDataError(f"Crisis data file {path}: entry {code}: every line needs a 'name' and a 'url'")
    contacts = {key: str(raw[key]) for key in _CONTACTS if raw.get(key)}
    if not contacts:
        raise CrisisDataError(f"Crisis data file {path}: entry {code}: line '{raw['name']}' needs phone, text or chat")
    return Line(name=raw["name"], url=raw["url"], **contacts)


def _text(text: str | None, words: ContactWords) -> str:
    if not text:
        return ""
    return text if not text[0].isdigit() else words.text.format(number=text)


def _chat(chat: str | None, url: str, words: ContactWords) -> str:
    if not chat:
        return ""
    return words.chat.format(address=chat) if chat.startswith("http") else chat
