"""Turns what people type into one canonical form, so the patterns can be written once, plainly.

People in distress rarely write textbook sentences: "im gonna k1ll mysellf", "k i l l  m y s e l f", "kms",
zero-width characters pasted in to slip past filters, accents or none. Every step here removes one kind of
variation; the same steps (minus the word-level ones) are applied to the patterns themselves when they are
compiled, so a pattern author writes "kill myself" and it matches "KiiLL mysellf".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

# Zero-width, joiners, soft hyphen, bidi marks, embeddings, overrides and isolates, BOM, variation selectors.
_INVISIBLE = re.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]"
)
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
# A letter next to a digit or symbol inside one word: "k1ll", "m3", "$uicide". Quantities like "30mg" or "2am"
# start with their digits and are left alone.
_LEET_WORD = re.compile(r"(?<![\w@$|!*])(?=[a-z@$]*[a-z][0-9@$|!*]|[@$][a-z]|[013457][a-z])[a-z0-9@$|!*]+")
# Digits before letters are usually a quantity or an ordinal ("30mg", "2am", "3rd"), not leetspeak ("3nd").
_DIGIT_LETTER = re.compile(r"[a-z][0-9]|[0-9][a-z]")
_QUANTITY = re.compile(
    r"\d*(?:1st|2nd|3rd)|\d+(?:th|s|am|pm|mg|mcg|g|kg|ml|l|k|m|km|cm|mm|ft|in|h|hr|hrs|min|mins|x|d|yo|yrs|lbs|lb|oz|gb|mb|p|fps|v|w|am|pm)"
)
_LEET_TABLE = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "|": "l", "!": "i", "*": "i"}
)
# A long run of words written without spaces that holds a crisis word: "imgonnakillmyself", "iwanttodie".
_JOINED_STEMS = ("kill", "die", "myself", "suicid", "unalive", "endmy", "hurtmy", "cutmy")
_JOINED = re.compile(
    r"(?<![^\W\d_])(?=[^\W\d_]*(?:kill|die|myself|suicid|unalive|endmy|hurtmy|cutmy))[^\W\d_]{8,40}(?![^\W\d_])"
)
# Three or more single letters separated by spaces, dots, dashes, underscores or stars: "k i l l", "s.u.i.c.i.d.e".
_SPACED = re.compile(r"(?<![^\W\d_])[^\W\d_](?:[ .\-_*·]{1,2}[^\W\d_](?![^\W\d_])){2,}")
_LONGEST_RUN = 60  # longer runs of single letters are not words; cutting them up would cost quadratic time
_SPACED_GAP = re.compile(r"[ .\-_*·]+")
# Letters split by a dot, dash, underscore or star inside a word to slip past filters: "sui.cide", "ki-ll",
# "my_self". Joined only when the result is a known word the punctuation cut through, so "e.g.", "u.s.",
# "2.5", "self-harm" and "example.com" keep their meaning.
_INNER_PUNCT = re.compile(r"(?<![\w.\-*])[^\W\d_]+(?:[.\-_*·][^\W\d_]+)+(?![\w\-*])")
_INNER_GAP = re.compile(r"[^\W\d_][.\-_*·][^\W\d_]")  # a cheap first look: most messages have no such gap
_INNER_MARKS = ".-_*·"  # and a cheaper one: without these there is no gap
_MIN_HIDDEN_WORD = 4
_PUNCT = re.compile(r"[^\w\s.?!]+|_")
_SENTENCE = re.compile(r"\s*([.?!])[.?!\s]*")
_REPEAT = re.compile(r"([^\W\d_])\1+")
# The same four on ASCII text, where a letter (`[^\W\d_]`) is [a-zA-Z], `\w` is [a-zA-Z0-9_] and there is no "·":
# they match exactly what the ones above match there, and ranges are cheaper to test than Unicode categories.
_ASCII_SPACED = re.compile(r"(?<![a-zA-Z])[a-zA-Z](?:[ .\-_*]{1,2}[a-zA-Z](?![a-zA-Z])){2,}")
_ASCII_INNER_GAP = re.compile(r"[a-zA-Z][.\-_*][a-zA-Z]")
_ASCII_PUNCT = re.compile(r"[^a-zA-Z0-9_\s.?!]+|_")
_ASCII_REPEAT = re.compile(r"([a-zA-Z])\1+")
# Replacements as C-level callables: a template such as r"\1" is expanded in Python for every match.
_FIRST_GROUP = itemgetter(1)
_SENTENCE_MARKS = {mark: f" {mark} " for mark in ".?!"}
_QUOTED = re.compile(r'["“”«»]([^"“”«»]{1,300})["“”«»]')
_PLAIN_WORD = re.compile(r"[a-z0-9]+")
_PLAIN_PHRASE = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)+")
# Look-alike letters from other scripts that are used to disguise Latin words.
_CONFUSABLES = str.maketrans(
    {"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j", "ѕ": "s", "к": "k",
     "м": "m",
     "т": "t", "в": "b", "н": "h", "ӏ": "l", "ɩ": "i", "ο": "o", "ν": "v", "α": "a", "ε": "e", "ι": "i", "κ": "k"}
)  # fmt: skip


def fold(text: str) -> str:
    """Unicode-level folding for messages: NFKC, case-fold, no invisible characters, accents or apostrophes."""
    return unaccent(text.casefold() if text.isascii() else unicodedata.normalize("NFKC", text).casefold())


def unaccent(text: str) -> str:
    """No invisible characters, look-alikes, accents or apostrophes. Patterns get this too (not the case-fold,
    which would turn `\\W` into `\\w`)."""
    if not text.isascii():
        text = _INVISIBLE.sub("", text).translate(_CONFUSABLES)
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
        return _APOSTROPHES.sub("", text)
    return text.replace("'", "").replace("`", "")  # the only apostrophes in ASCII


def collapse_repeats(text: str) -> str:
    """ "diiie" → "die", and "kill" → "kil": both messages and patterns are collapsed, so they still agree."""
    return (_ASCII_REPEAT if text.isascii() else _REPEAT).sub(_FIRST_GROUP, text)


def _sentence_mark(match: re.Match[str]) -> str:
    return _SENTENCE_MARKS[match[1]]


@dataclass(frozen=True)
class Normaliser:
    """The word-level steps, configured from `prompts/crisis/normalise.yaml`.

    `substitutions` turn slang and short forms into the canonical words the patterns use ("kms" → "kill
    myself", "wanna" → "want to"); `vocabulary` lets a spaced-out run ("k i l l m y s e l f") be cut back into
    words; `emoji` maps the emoji that carry meaning (laughter; a knife, pills, a rope) to words.
    """

    substitutions: re.Pattern[str]
    replacements: Sequence[str]
    words: Mapping[str, str]
    plain_phrases: Sequence[tuple[str, str, str]]  # (first word, " phrase ", " replacement ")
    phrase_starts: frozenset[str]  # the first words of `plain_phrases`
    vocabulary: frozenset[str]
    emoji: Mapping[str, str]
    longest_word: int
    mention: re.Pattern[str] | None = None

    @staticmethod
    def build(
        substitutions: Sequence[tuple[str, str]],
        vocabulary: Sequence[str],
        emoji: Mapping[str, str],
        mention: str | None = None,
    ) -> Normaliser:
        # Single words go through a dictionary and plain phrases through str.replace (both fast); only the few
        # patterns with regular-expression syntax need the regular expression.
        single: dict[str, str] = {}
        plain: list[tuple[str, str, str]] = []
        phrases: list[tuple[str, str]] = []
        for pattern, replacement in substitutions:
            canonical = collapse_repeats(fold(replacement))
            for alternative in _top_level_alternatives(pattern):
                if _PLAIN_WORD.fullmatch(alternative):
                    single.setdefault(alternative, canonical)
                elif _PLAIN_PHRASE.fullmatch(alternative):
                    plain.append((alternative.split()[0], f" {alternative} ", f" {canonical} "))
                else:
                    phrases.append((alternative, canonical))
        alternatives = "|".join(f"(?P<s{index}>{pattern})" for index, (pattern, _) in enumerate(phrases))
        words = frozenset(fold(word) for word in vocabulary)
        return Normaliser(
            substitutions=re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)" if alternatives else r"(?!x)x"),
            replacements=tuple(f" {replacement} " for _, replacement in phrases),
            words=single,
            plain_phrases=tuple(plain),
            phrase_starts=frozenset(first for first, _, _ in plain),
            vocabulary=words,
            emoji=dict(emoji),
            longest_word=max((len(word) for word in words), default=1),
            mention=re.compile(rf"\b(?:{mention})\b") if mention else None,
        )

    def __call__(self, text: str) -> str:
        if not text.isascii():
            for symbol, word in self.emoji.items():
                if symbol in text:
                    while symbol + symbol in text:  # "💊💊💊" is pills, once
                        text = text.replace(symbol + symbol, symbol)
                    text = text.replace(symbol, f" {word} ")
        text = fold(text)
        if self.mention is not None and ('"' in text or "“" in text or "«" in text):
            text = self._unquote(text)
        if "!" in text or "@" in text or "$" in text or "|" in text or "*" in text or _DIGIT_LETTER.search(text):
            text = _LEET_WORD.sub(self._unleet, text)
        # Text that is ASCII here stays so (every step below puts in ASCII, or pieces of the text itself).
        plain = text.isascii()
        text = (_ASCII_SPACED if plain else _SPACED).sub(self._join_spaced, text)
        if any(mark in text for mark in _INNER_MARKS) and (_ASCII_INNER_GAP if plain else _INNER_GAP).search(text):
            text = _INNER_PUNCT.sub(self._join_split_word, text)
        if any(stem in text for stem in _JOINED_STEMS):
            text = _JOINED.sub(self._split_joined, text)
        text = (_ASCII_PUNCT if plain else _PUNCT).sub(" ", text)
        if "." in text or "?" in text or "!" in text:
            text = _SENTENCE.sub(_sentence_mark, text)
        text = collapse_repeats(text)
        parts = text.split()
        text = f" {' '.join(parts)} "  # str.split() and `\s` agree on what whitespace is
        # A phrase is looked for only when its first word is in the text, or came in with a replacement.
        present = self.phrase_starts.intersection(parts)
        if present:
            for first, phrase, replacement in self.plain_phrases:
                if first in present and phrase in text:
                    text = text.replace(phrase, replacement).replace(phrase, replacement)
                    present |= self.phrase_starts.intersection(replacement.split())
        text = self.substitutions.sub(self._substitute, text)
        parts = text.split()
        return " ".join(filter(None, map(self.words.get, parts, parts)))

    def _substitute(self, match: re.Match[str]) -> str:
        return self.replacements[int(match.lastgroup[1:])] if match.lastgroup else match[0]

    def _unquote(self, text: str) -> str:
        """Words quoted while talking *about* them ("the lyrics go "I don't want to live forever"") are a
        mention, not a use: they are masked when the rest of the message says so."""
        outside = _QUOTED.sub(" ", text)
        if self.mention is None or not self.mention.search(outside):
            return text
        return _QUOTED.sub(" ~ ", text)

    def _unleet(self, match: re.Match[str]) -> str:
        word = match[0].rstrip("!")
        if _QUANTITY.fullmatch(word):
            return match[0]
        if "*" in word:
            # A star hides a vowel: "h*rt" is "hurt", "k*ll" is "kill".
            for vowel in "iuaeo":
                guess = word.replace("*", vowel).translate(_LEET_TABLE)
                if guess in self.vocabulary:
                    return guess + match[0][len(word) :]
        return word.translate(_LEET_TABLE) + match[0][len(word) :]

    def _split_joined(self, match: re.Match[str]) -> str:
        words = segment(match[0], self.vocabulary, self.longest_word)
        return " ".join(words) if words and len(words) > 1 else match[0]

    def _join_split_word(self, match: re.Match[str]) -> str:
        pieces = _SPACED_GAP.split(match[0])
        joined = "".join(pieces)
        if len(joined) > _LONGEST_RUN:
            return match[0]
        words = segment(joined, self.vocabulary, self.longest_word)
        if not words or max(len(word) for word in words) < _MIN_HIDDEN_WORD:
            return match[0]
        # Only where a gap falls inside one of the words: "life.i" is two words and a full stop, not a disguise.
        cuts, position = set(), 0
        for piece in pieces[:-1]:
            position += len(piece)
            cuts.add(position)
        bounds, position = set(), 0
        for word in words:
            position += len(word)
            bounds.add(position)
        return " ".join(words) if cuts - bounds else match[0]

    def _join_spaced(self, match: re.Match[str]) -> str:
        joined = _SPACED_GAP.sub("", match[0])
        if len(joined) > _LONGEST_RUN:
            return match[0]
        words = segment(joined, self.vocabulary, self.longest_word)
        return f" {' '.join(words)} " if words else match[0]


def _top_level_alternatives(pattern: str) -> list[str]:
    """`a|b(?=c|d)` → ["a", "b(?=c|d)"]: only bars outside parentheses separate alternatives."""
    parts, depth, start = [], 0, 0
    for position, char in enumerate(pattern):
        if char == "(" and pattern[position - 1 : position] != "\\":
            depth += 1
        elif char == ")" and pattern[position - 1 : position] != "\\":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:position])
            start = position + 1
    return [*parts, pattern[start:]]


def segment(run: str, vocabulary: frozenset[str], longest: int) -> list[str] | None:
    """Cut `run` into vocabulary words (fewest words wins), or None when it cannot be done."""
    best: list[list[str] | None] = [[]] + [None] * len(run)
    for end in range(1, len(run) + 1):
        for start in range(max(0, end - longest), end):
            before = best[start]
            if before is not None and run[start:end] in vocabulary:
                candidate = [*before, run[start:end]]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(run)]
