"""Screens every LLM reply before anyone sees it: method or means, a diagnosis, medication dosing, or a promise
of secrecy Hearth cannot keep (SAFETY.md rule 6).

A language model asked "which bridges are tallest?" may simply answer. The screen is the last line of
SAFETY.md rule 2 and of "Hearth never diagnoses or gives medication advice". It errs on the side of withholding:
a withheld reply is replaced by a safe message, a leaked method is irreversible. But a warm reply wrongly
withheld costs someone a real answer, so what it withholds is written as families of content, not phrases:

- A rule is one pattern, or `all:` several that must all be found in one sentence, in any order ("sleeping
  pills", "alcohol", "dangerous"). Models wrap a method in "don't", "never", "some people" or "in fiction";
  the rules look at what is said, not at how it is framed, so the wrapper changes nothing.
- `allow` names the few phrasings that only look like one of these and hold nothing specific: deferring to a
  doctor ("please don't stop your medication without talking to your doctor"), a person's own question ("if
  you're wondering whether it's depression"), a refusal ("I can't share information about lethal doses"). They
  are blanked out before the rules run, and they can hold no digit, so an amount beside one is still seen.
- `defs` are term lists (medicines, units, conditions) written once and used as `{name}`.

The reply is folded first (lower case, no accents, straight apostrophes, no Markdown emphasis or invisible
characters), so patterns are written in lower case without accents. Sentences end at `.`, `!` or `?` before a
space, or at a line break; the streamed partial shows only finished sentences (bot/reply.py), so a sentence
shown can no longer change the screen's verdict.

Speed: every pattern's required literal text (bot/crisis/prefilter.py) goes into one Aho-Corasick automaton;
one pass over the reply names the patterns that could match, and only those are searched.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ahocorasick

from bot.crisis.lexicon import CrisisDataError, read_yaml
from bot.crisis.prefilter import required_text, requires_digit, starts_with_digit, word_starts

KINDS = ("method", "dosing", "diagnosis", "secrecy")  # when a reply holds several, the first one names it
_DEF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|\n")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_APOSTROPHES = re.compile("[\u2018\u2019\u02bc`\u00b4]")
_EMPHASIS = re.compile("[*_~]")
# The combining marks NFKD splits off Latin, Greek and Cyrillic letters: "é" is "e" and one of these.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_UPPER_OUTSIDE_ESCAPES = re.compile(r"(?<!\\)[A-Z]")
_DIGIT = re.compile(r"\d")
_SHORTEST_START = 2  # a piece of one letter starts most words and filters nothing


def finished_sentences(text: str) -> str:
    """What of a reply still being written may be shown: its finished sentences, as the screen reads sentences. The
    last one is finished only once something follows its full stop ("67." may yet be "67.5 meters")."""
    end = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
    return text[:end].rstrip()


def fold_reply(text: str) -> str:
    """What the patterns meet: lower case, no accents, straight apostrophes, no Markdown emphasis."""
    if text.isascii():
        text = text.lower()
        if "`" in text:
            text = text.replace("`", "'")
    else:
        text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()
        text = _APOSTROPHES.sub("'", _MARKS.sub("", unicodedata.normalize("NFKD", text)))
    if "*" in text or "_" in text or "~" in text:
        text = _EMPHASIS.sub("", text)
    return text


@dataclass(frozen=True)
class ScreenRule:
    kind: str
    position: int  # the rule's place in its kind's list in the file, from 1: what `--show` names
    parts: tuple[int, ...]  # numbers of `OutputScreen.parts`; more than one: all in one sentence
    needs: frozenset[int] = frozenset()  # the same, as a set

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", frozenset(self.parts))


@dataclass(frozen=True)
class OutputScreen:
    parts: tuple[re.Pattern[str], ...]
    rules: tuple[ScreenRule, ...]
    allow: tuple[int, ...]  # numbers of the parts that are masks, in order
    always: frozenset[int]  # parts with no literal text required: searched in every reply
    # piece -> (its length, the parts that need it somewhere, the parts whose matches begin with it at a word start)
    automaton: Any
    digits: frozenset[int]  # parts every match of which holds a digit: not searched in a reply without one
    starting: frozenset[int]  # the parts `starts` knows: searched only where one of their pieces starts a word
    numeric: frozenset[int]  # parts every match of which begins with a digit: tried only where a digit is

    def allows(self, text: str) -> bool:
        return self.reason(text) is None

    def reason(self, text: str) -> str | None:
        """Which kind of content would be withheld (for tests and logs; never the text itself)."""
        rule = self.rule_for(text)
        return None if rule is None else self.rules[rule].kind

    def rule_for(self, text: str) -> int | None:
        """The number of the first rule that withholds `text` (`python -m bot.crisis --screen-eval --show`)."""
        return _Reading(self, fold_reply(text)).first_rule()


class _Reading:
    """One reply's search. Which parts could match is read off the automaton in one pass; a part whose matches
    begin a word with a known piece is tried only where one does (`match` there, not `search` through the
    reply), a part whose matches begin with a digit only where a digit is, and each part is searched at most once,
    the sentences it was found in kept for `all:`."""

    def __init__(self, screen: OutputScreen, text: str) -> None:
        self._screen = screen
        possible = set(screen.always)
        # Every place a piece that starts a match occurs, kept: masking changes which of them start a word.
        self._pieces: list[tuple[int, tuple[int, ...]]] = []
        if len(screen.automaton):
            for end, (length, required, starting) in screen.automaton.iter(text):
                possible.update(required)
                if starting:
                    self._pieces.append((end - length + 1, starting))
        if not _DIGIT.search(text):
            possible -= screen.digits
        self._text = text
        self._possible = possible
        self._digits: list[int] | None = None
        self._begin()
        self._mask()
        self._ends: list[int] | None = None
        self._found: dict[int, frozenset[int]] = {}

    def _begin(self) -> None:
        """Where the parts that begin with a known piece may begin: where one starts a word (the folded text has no
        `_`, so a word character is a letter or a digit)."""
        text, positions = self._text, dict[int, list[int]]()
        for start, parts in self._pieces:
            if not start or not text[start - 1].isalnum():
                for part in parts:
                    if part in positions:
                        positions[part].append(start)
                    else:
                        positions[part] = [start]
        self._positions = positions
        self._possible -= self._screen.starting - positions.keys()

    def _mask(self) -> None:
        """Blank out the allowed phrasings, each by as many spaces, so every position found stays where it was."""
        spans = []
        for part in self._screen.allow:
            if part in self._possible:
                spans += [(match.start(), match.end()) for match in self._matches(part) if match.end() > match.start()]
        if not spans:
            return
        text = list(self._text)
        for start, end in spans:
            text[start:end] = " " * (end - start)
        self._text = "".join(text)
        self._digits = None
        self._pieces = [(start, found) for start, found in self._pieces if self._text[start] != " "]
        self._begin()

    def _where(self, part: int) -> list[int] | None:
        """Where `part` may begin, if that is known: the word starts that hold one of its pieces, or the digits."""
        if part not in self._positions:
            if part in self._screen.starting:
                return []
            if part not in self._screen.numeric:
                return None
            if self._digits is None:
                self._digits = [match.start() for match in _DIGIT.finditer(self._text)]
            self._positions[part] = self._digits
        return self._positions[part]

    def _matches(self, part: int) -> list[re.Match[str]]:
        """What `finditer` finds, tried only where the part can begin when that is known."""
        pattern, where = self._screen.parts[part], self._where(part)
        if where is None:
            return list(pattern.finditer(self._text))
        found, reached = [], 0
        for start in sorted(where):
            if start >= reached and (match := pattern.match(self._text, start)):
                found.append(match)
                reached = max(match.end(), start + 1)
        return found

    def _search(self, part: int) -> bool:
        pattern, where = self._screen.parts[part], self._where(part)
        if where is None:
            return pattern.search(self._text) is not None
        return any(pattern.match(self._text, start) for start in where)

    def first_rule(self) -> int | None:
        possible = self._possible
        for number, rule in enumerate(self._screen.rules):
            if not rule.needs <= possible:
                continue
            if len(rule.parts) == 1:
                if self._search(rule.parts[0]):
                    return number
                continue
            shared: frozenset[int] | None = None
            for part in rule.parts:
                sentences = self._sentences(part)
                shared = sentences if shared is None else shared & sentences
                if not shared:
                    break
            if shared:
                return number
        return None

    def _sentences(self, part: int) -> frozenset[int]:
        if part not in self._found:
            if self._ends is None:
                self._ends = [match.end() for match in _SENTENCE_END.finditer(self._text)]
            ends = self._ends
            self._found[part] = frozenset(bisect_right(ends, match.start()) for match in self._matches(part))
        return self._found[part]


def load_screen(path: Path) -> OutputScreen:
    data = read_yaml(path)
    defs = _defs(data.get("defs", {}), path)
    sources: dict[str, int] = {}

    def part(pattern: Any, where: str) -> int:
        if not isinstance(pattern, str) or not pattern.strip():
            raise CrisisDataError(f"Crisis data file {path}: {where}: a pattern must be text")
        expanded = _expand(pattern, defs, path, where)
        return sources.setdefault(expanded, len(sources))

    allow = [part(item, "allow") for item in _list(data.get("allow", []), path, "allow", empty=True)]
    rules = []
    for kind in KINDS:
        for position, item in enumerate(_list(data.get(kind), path, kind), start=1):
            if isinstance(item, dict) and set(item) == {"all"}:
                together = _list(item["all"], path, f"{kind}: all")
                if len(together) < 2:
                    raise CrisisDataError(f"Crisis data file {path}: {kind}: 'all' needs at least two patterns")
                rules.append(ScreenRule(kind, position, tuple(part(p, f"{kind}: all") for p in together)))
            else:
                rules.append(ScreenRule(kind, position, (part(item, kind),)))
    compiled = tuple(_compile(source, path) for source in sources)
    pieces: dict[str, tuple[list[int], list[int]]] = {}
    always, digits, starting, numeric = set(), set(), set(), set()
    for source, number in sources.items():
        required = required_text(source)
        if required is None:
            always.add(number)
        for piece in required or ():
            pieces.setdefault(piece, ([], []))[0].append(number)
        if requires_digit(source):
            digits.add(number)
        if starts_with_digit(source):
            numeric.add(number)
        begins = word_starts(source)
        if begins and min(map(len, begins)) >= _SHORTEST_START:
            starting.add(number)
            for piece in begins:
                pieces.setdefault(piece, ([], []))[1].append(number)
    automaton = ahocorasick.Automaton()
    for piece, (needing, beginning) in pieces.items():
        automaton.add_word(piece, (len(piece), tuple(needing), tuple(beginning)))
    if len(automaton):
        automaton.make_automaton()

    def cost(number: int) -> int:
        """Search the parts a reply is least likely to hold first: the prefilter's, then a number, then the rest."""
        return 0 if number not in always or number in starting else 1 if number in digits or number in numeric else 2

    rules = [replace(rule, parts=tuple(sorted(rule.parts, key=cost))) for rule in rules]
    return OutputScreen(
        compiled,
        tuple(rules),
        tuple(allow),
        frozenset(always),
        automaton,
        frozenset(digits),
        frozenset(starting),
        frozenset(numeric),
    )


def _defs(value: Any, path: Path) -> Mapping[str, str]:
    """Names for patterns; a list is its items as alternatives (long term lists read better one line a language)."""
    if not isinstance(value, dict):
        raise CrisisDataError(f"Crisis data file {path}: 'defs' must map names to patterns")
    defs = {}
    for name, item in value.items():
        if isinstance(item, list) and item and all(isinstance(line, str) and line for line in item):
            item = "|".join(item)
        if not isinstance(name, str) or not isinstance(item, str):
            raise CrisisDataError(f"Crisis data file {path}: defs: '{name}' must be a pattern or a list of them")
        defs[name] = item
    return defs


def _list(value: Any, path: Path, key: str, *, empty: bool = False) -> list[Any]:
    if not isinstance(value, list) or (not value and not empty):
        raise CrisisDataError(f"Crisis data file {path}: '{key}' must be a list of patterns")
    return value


def _expand(pattern: str, defs: Mapping[str, str], path: Path, where: str) -> str:
    for _ in range(8):
        expanded = _DEF.sub(lambda m: _lookup(defs, m[1], path, where), pattern)
        if expanded == pattern:
            break
        pattern = expanded
    else:
        raise CrisisDataError(f"Crisis data file {path}: {where}: definitions nest too deeply")
    if _UPPER_OUTSIDE_ESCAPES.search(pattern):
        raise CrisisDataError(f"Crisis data file {path}: {where}: write patterns in lower case ({pattern[:40]!r})")
    return _MARKS.sub("", unicodedata.normalize("NFKD", pattern))  # accents as the folded reply has them: none


def _lookup(defs: Mapping[str, str], name: str, path: Path, where: str) -> str:
    if name not in defs:
        raise CrisisDataError(f"Crisis data file {path}: {where}: unknown definition {{{name}}}")
    return f"(?:{defs[name]})"


def _compile(source: str, path: Path) -> re.Pattern[str]:
    try:
        return re.compile(source)
    except re.error as exc:
        raise CrisisDataError(f"Crisis data file {path}: bad pattern ({exc.msg}): {source[:60]!r}") from None
