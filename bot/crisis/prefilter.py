"""Alternations of patterns (a rule's patterns, the idioms) searched only with the patterns a text could match.

Every match of a pattern holds some literal text: "want to (?:die|kill myself)" cannot match a message without
"want to die" or "want to kill myself" in it. `required_text` reads that text off the pattern with `re`'s own
parser (so it sees the pattern exactly as the regular-expression engine does): a few pieces, at least one of
which every match contains, or `None` where no piece is certain. A `PatternIndex` puts the pieces of all the
patterns in an Aho-Corasick automaton (pyahocorasick); one pass over a message names the patterns whose pieces
it holds, and only those are searched.

This changes no verdict: a pattern skipped cannot match, a rule's first match is the earliest first match of its
patterns (what `re` finds for their alternation), and the idioms are replaced as `re.sub` replaces their
alternation. It changes the cost: a message that looks like crisis language used to search whole rules,
alternations of ten to thirty patterns, most of which could never match it, and the idioms' alternation of
forty at every position of the message.

A pattern is compiled when a message first needs it, which costs the first crisis message after start-up about
half a second of CPU; `build_all` compiles the rest ahead of time, and may run on another thread while
messages are judged (the bot starts it at start-up: bot/bootstrap.py).
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import ahocorasick

# `re`'s parser: the standard library has no public way to read a pattern's structure. Only its opcodes and the
# shapes of their arguments are used, and anything unknown reads as "no text required" (searched always).
_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")
_SHORTEST = 3  # pieces shorter than this ("i ", "me") are in nearly every message and filter nothing
_MOST = 32  # ways one piece may be read ("(?:a|b) (?:c|d)" is four) before it is cut in two
_REPEATS = frozenset({_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT})
_CHUNK = 4  # alternations `build_all` compiles at a time: a message judged meanwhile waits for one chunk at most


def required_text(pattern: str) -> frozenset[str] | None:
    """Pieces of literal text, at least one of which is in every match of `pattern`; `None` if none is certain."""
    parsed = _parser.parse(pattern)
    if parsed.state.flags & re.IGNORECASE:
        return None
    return _sequence(list(parsed))


def _sequence(items: Iterable[tuple[Any, Any]]) -> frozenset[str] | None:
    """What a sequence requires: every element is in the match, so the most selective element's pieces are.
    Elements side by side whose text is one of a few known strings (a literal, an alternation of them, an optional
    one) make one piece for each way they can be read: "want to (?:die|kill myself)" requires "want to die" or
    "want to kill myself". Anything else between them (a class, an assertion, a repeat) ends the piece."""
    best: frozenset[str] | None = None

    def consider(pieces: frozenset[str] | None) -> None:
        nonlocal best
        if pieces and min(map(len, pieces)) >= _SHORTEST and (best is None or _better(pieces, best)):
            best = pieces

    run = frozenset({""})  # every way the elements side by side so far can be read
    for op, argument in items:
        known = _known(op, argument)
        if known is None:
            consider(run)
            run = frozenset({""})
            consider(_element(op, argument))
            continue
        longer = frozenset(before + after for before in run for after in known)
        if len(longer) > _MOST:  # too many ways: the run so far is a piece, and a new one starts here
            consider(run)
            longer = known
        run = longer
    consider(run)
    return best


def _known(op: Any, argument: Any) -> frozenset[str] | None:
    """The strings an element can match, where they are few and certain; `None` otherwise."""
    if op is _c.LITERAL:
        return frozenset({chr(argument)})
    if op is _c.IN:
        if len(argument) <= 4 and all(kind is _c.LITERAL for kind, _ in argument):
            return frozenset(chr(code) for _, code in argument)
        return None
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, body = argument
        return None if add_flags & re.IGNORECASE else _known_sequence(body)
    if op is _c.BRANCH:
        found = _union([_known_sequence(body) for body in argument[1]])
        return found if found is not None and len(found) <= _MOST else None
    if op in _REPEATS:
        least, most, body = argument
        strings = _known_sequence(body)
        if strings is None or (least, most) not in ((0, 1), (1, 1)):
            return None
        return strings | {""} if least == 0 else strings
    return None


def _known_sequence(items: Iterable[tuple[Any, Any]]) -> frozenset[str] | None:
    strings = frozenset({""})
    for op, argument in items:
        known = _known(op, argument)
        if known is None:
            return None
        strings = frozenset(before + after for before in strings for after in known)
        if len(strings) > _MOST:
            return None
    return strings


def _element(op: Any, argument: Any) -> frozenset[str] | None:
    """What an element whose strings are not few and certain requires."""
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, body = argument
        return None if add_flags & re.IGNORECASE else _sequence(body)
    if op is _c.BRANCH:
        return _union([_sequence(body) for body in argument[1]])
    if op in _REPEATS:
        least, _most, body = argument
        return _sequence(body) if least >= 1 else None
    if op is _c.ATOMIC_GROUP:
        return _sequence(argument)
    return None  # a class, any character, an assertion, a back-reference: no literal text is certain


def _union(alternatives: list[frozenset[str] | None]) -> frozenset[str] | None:
    """What an alternation holds: one of its alternatives' strings, if each alternative has some."""
    if any(strings is None for strings in alternatives):
        return None
    return frozenset().union(*(strings for strings in alternatives if strings is not None))


def _better(pieces: frozenset[str], than: frozenset[str]) -> bool:
    """Fewer and longer pieces filter more: prefer the longer shortest piece, then fewer pieces."""
    return (min(map(len, pieces)), -len(pieces)) > (min(map(len, than)), -len(than))


class PatternIndex:
    """Alternations of patterns, `start(?:a|b|…)end` (a rule's patterns, or the idioms), each compiled pattern by
    pattern, and one Aho-Corasick automaton of the pieces of text they require: one pass over a message names the
    patterns that could match it. An alternation is compiled, and its pieces read, the first time a message
    needs it, so loading costs no more than compiling the alternations did, and one no message needs costs
    nothing more."""

    def __init__(self, alternations: Sequence[tuple[Sequence[str], str, str, re.Pattern[str]]]) -> None:
        """`alternations`: each one's pattern sources, the start and end every pattern is compiled with, and the
        whole alternation compiled, which is searched instead should a pattern not compile on its own."""
        self._alternations = [(tuple(sources), start, end, whole) for sources, start, end, whole in alternations]
        self._built = [False] * len(self._alternations)
        self._compiled: list[re.Pattern[str]] = []  # every built pattern, numbered in the order built
        self._owner: list[int] = []  # which alternation each built pattern is of
        self._always: set[int] = set()  # built patterns that require no certain text
        self._automaton: Any = ahocorasick.Automaton()  # piece → the numbers of the built patterns requiring it
        self._lock = threading.Lock()  # building (which changes the automaton) against searching with it

    def build_all(self) -> None:
        """Compile every pattern now rather than on first need: the first crisis message after start-up would
        otherwise wait for its rules to be compiled (about half a second of CPU for "i want to kill myself").
        Safe to run on another thread while messages are judged: it builds a few alternations at a time, and a
        message waits only for the few being built."""
        count = len(self._alternations)
        for first in range(0, count, _CHUNK):
            with self._lock:
                self._build([n for n in range(first, min(first + _CHUNK, count)) if not self._built[n]])

    @property
    def unbuilt(self) -> int:
        """How many alternations are not compiled yet."""
        return self._built.count(False)

    def alternation(self, number: int) -> re.Pattern[str]:
        """The whole alternation `number`, as `re` would search it: what the index finds, it finds."""
        return self._alternations[number][3]

    def _build(self, alternations: Iterable[int]) -> None:
        """Only with `_lock` held: it changes what `possible` reads."""
        for alternation in alternations:
            sources, start, end, whole = self._alternations[alternation]
            try:
                parts = [(re.compile(f"{start}(?:{source}){end}"), required_text(source)) for source in sources]
                if whole.groups and any(_refers_to_a_group(_parser.parse(source)) for source in sources):
                    # Beside the others a back-reference counts their groups too: `\1` is not the same group.
                    parts = [(whole, None)]
            except (re.error, RecursionError):  # a pattern valid only beside the others: search them all at once
                parts = [(whole, None)]
            for compiled, required in parts:
                number = len(self._compiled)
                self._compiled.append(compiled)
                self._owner.append(alternation)
                if required is None:
                    self._always.add(number)
                for piece in required or ():
                    self._automaton.add_word(piece, (*self._automaton.get(piece, ()), number))
            self._built[alternation] = True
        if len(self._automaton):
            self._automaton.make_automaton()

    def possible(self, text: str, alternations: Iterable[int]) -> dict[int, list[re.Pattern[str]]]:
        """Of these alternations, those with a pattern that could match somewhere in `text`, each with those
        patterns (compiled with its start and end) in their order."""
        wanted = set(alternations)
        with self._lock:
            unbuilt = [alternation for alternation in wanted if not self._built[alternation]]
            if unbuilt:
                self._build(unbuilt)
            numbers = set(self._always)
            if self._automaton.kind == ahocorasick.AHOCORASICK:
                for _end, found in self._automaton.iter(text):
                    numbers.update(found)
        owner, compiled = self._owner, self._compiled
        patterns: dict[int, list[re.Pattern[str]]] = {}
        for number in sorted(numbers):
            if owner[number] in wanted:
                patterns.setdefault(owner[number], []).append(compiled[number])
        return patterns

    def first_starts(self, alternations: Iterable[int], text: str, shifted: Sequence[bool]) -> dict[int, int]:
        """Of these alternations, those that match `text`, each with where it first matches (the earliest first
        match of its patterns). One that is `shifted` is searched in `text` with a space in front (see `Rule`);
        the pieces are looked for there, which holds all of `text` too."""
        spaced = f" {text}"
        first: dict[int, int] = {}
        for alternation, patterns in self.possible(spaced, alternations).items():
            searched = spaced if shifted[alternation] else text
            starts = [match.start() for pattern in patterns if (match := pattern.search(searched))]
            if starts:
                first[alternation] = min(starts)
        return first

    def sub(self, alternation: int, replacement: str, text: str) -> str:
        """What `re.sub` gives with one alternation: from where the last replacement ended, the next is the
        earliest match of any of its patterns, and where two start at the same place, the one first in order.
        Only for patterns that cannot match nothing (idioms), where `re.sub`'s rules for empty matches never
        apply.

        Each pattern's next match is kept and searched for again only once a replacement has passed its start
        (a match at a given start does not depend on where the search began), so a long message full of idioms
        costs each pattern about one pass, not one pass per replacement."""
        patterns = self.possible(text, (alternation,)).get(alternation, [])
        upcoming = [pattern.search(text) for pattern in patterns]
        pieces: list[str] = []
        position = 0
        while patterns:
            earliest: re.Match[str] | None = None
            for number, pattern in enumerate(patterns):
                match = upcoming[number]
                if match is not None and match.start() < position:
                    match = upcoming[number] = pattern.search(text, position)
                if match is not None and (earliest is None or match.start() < earliest.start()):
                    earliest = match
            if earliest is None or earliest.end() == earliest.start():  # the lexicon refuses empty idioms
                break
            pieces += (text[position : earliest.start()], replacement)
            position = earliest.end()
        return "".join(pieces) + text[position:] if pieces else text


def _refers_to_a_group(items: Any) -> bool:
    """Whether a parsed pattern holds a back-reference or a condition on a group (`\\1`, `(?(1)a|b)`)."""
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and (item[0] is _c.GROUPREF or item[0] is _c.GROUPREF_EXISTS):
            return True
        if isinstance(item, (tuple, list, _parser.SubPattern)) and _refers_to_a_group(item):
            return True
    return False


def can_match_nothing(pattern: str) -> bool:
    """Whether `pattern` can match the empty string somewhere (its shortest match is empty)."""
    return bool(_parser.parse(pattern).getwidth()[0] == 0)


def requires_digit(pattern: str) -> bool:
    """Whether every match of `pattern` holds a digit (`\\d`): a text without one cannot match it. Read with `re`'s
    parser, like `required_text`; anything unknown reads as "not certain"."""
    return _needs_digit(list(_parser.parse(pattern)))


def _needs_digit(items: Iterable[tuple[Any, Any]]) -> bool:
    for op, argument in items:
        if op is _c.LITERAL and chr(argument).isdecimal():
            return True
        if op is _c.IN and argument and all(_digit_only(kind, value) for kind, value in argument):
            return True
        if op is _c.SUBPATTERN and _needs_digit(argument[3]):
            return True
        if op is _c.ATOMIC_GROUP and _needs_digit(argument):
            return True
        if op is _c.BRANCH and all(_needs_digit(body) for body in argument[1]):
            return True
        if op in _REPEATS and argument[0] >= 1 and _needs_digit(argument[2]):
            return True
    return False


def _digit_only(kind: Any, value: Any) -> bool:
    if kind is _c.CATEGORY:
        return value is _c.CATEGORY_DIGIT or value is _c.CATEGORY_UNI_DIGIT
    if kind is _c.LITERAL:
        return chr(value).isdecimal()
    if kind is _c.RANGE:
        return bool(ord("0") <= value[0] and value[1] <= ord("9"))
    return False


_MOST_STARTS = 512  # ways the start of a match may be read before `word_starts` gives up


def word_starts(pattern: str) -> frozenset[str] | None:
    """The literal text every match of `pattern` begins with, one of these pieces, where every match also begins at
    a word boundary (`\\bfoo`, `\\b(?:a|b)`): a text holds a match only where a piece starts a word. `None` where
    that is not certain, and where a piece begins with what is not a letter or digit (there `\\b` means a word
    character comes before it). Stricter than `required_text`, which cannot tell "die" from "studied"."""
    parsed = _parser.parse(pattern)
    if parsed.state.flags & re.IGNORECASE:
        return None
    starts = _bounded_starts(list(parsed))
    return starts if starts and all(piece[:1].isalnum() for piece in starts) else None


def _bounded_starts(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    if not items:
        return None
    op, argument = items[0]
    if op is _c.AT and argument is _c.AT_BOUNDARY:
        found = _starts(items[1:])
        return found[0] if found else None
    if op is _c.SUBPATTERN and not argument[1] & re.IGNORECASE:
        return _bounded_starts(list(argument[3]))
    if op is _c.BRANCH:
        alternatives = [_bounded_starts(list(body)) for body in argument[1]]
        if any(found is None for found in alternatives):
            return None
        return frozenset().union(*(found for found in alternatives if found is not None))
    return None


def _starts(items: Iterable[tuple[Any, Any]]) -> tuple[frozenset[str], bool] | None:
    """The strings a sequence's matches begin with, and whether each is a whole match of the sequence."""
    so_far = frozenset({""})
    for op, argument in items:
        known = _known(op, argument)
        if known is not None and len(so_far) * len(known) <= _MOST_STARTS:
            so_far = frozenset(before + after for before in so_far for after in known)
            continue
        inner: tuple[frozenset[str], bool] | None = None
        if op is _c.SUBPATTERN and not argument[1] & re.IGNORECASE:
            inner = _starts(argument[3])
        elif op is _c.BRANCH:
            found = [_starts(body) for body in argument[1]]
            if all(item is not None for item in found):
                inner = (frozenset().union(*(item[0] for item in found if item is not None)), False)
        elif op in _REPEATS and argument[0] >= 1:
            inner = _starts(argument[2])
        if inner is None or len(so_far) * len(inner[0]) > _MOST_STARTS:
            return so_far, False
        return frozenset(before + after for before in so_far for after in inner[0]), False
    return so_far, True


def starts_with_digit(pattern: str) -> bool:
    """Whether every match of `pattern` begins with a digit: it can be tried at the digits, not throughout."""
    return _leads_with_digit(list(_parser.parse(pattern)))


def _leads_with_digit(items: list[tuple[Any, Any]]) -> bool:
    if not items:
        return False
    op, argument = items[0]
    if op is _c.LITERAL or op is _c.IN:
        return _needs_digit(items[:1])
    if op is _c.SUBPATTERN:
        return _leads_with_digit(list(argument[3]))
    if op is _c.BRANCH:
        return all(_leads_with_digit(list(body)) for body in argument[1])
    if op in _REPEATS:
        return argument[0] >= 1 and _leads_with_digit(list(argument[2]))
    return False
