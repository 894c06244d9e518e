"""Loads the crisis lexicon (`prompts/crisis/*.yaml`) and compiles it once, at start-up.

The patterns are data so that people who know crisis language, not only programmers, can review and extend them.
A malformed file must stop start-up with one line naming the file and the rule: a detector silently missing a
rule is the worst failure Hearth can have, so nothing here is lenient.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.crisis.normalise import Normaliser, collapse_repeats, fold, unaccent
from bot.crisis.prefilter import PatternIndex, can_match_nothing
from bot.models import Category, Level
from bot.prompts import PromptError
from bot.yamlfile import read_mapping

_DEF = re.compile(r"\{(\w+)\}")
# A look-behind that cannot tell a leading space from the start of the text: it starts with a letter and has no
# alternatives, groups, classes or escapes (every rule's look-behinds are of this kind, "(?<!non )").
SHIFTED, UNSHIFTED = r"\W", r"(?<!\w)"  # how a rule's pattern starts (see `Rule`)
_PLAIN_LOOKBEHIND = re.compile(r"\(\?<[=!][a-z][^()|\[\\]*\)")
_CONTEXT_KEYS = (
    "laughter", "mundane", "earnest", "negation", "first_person", "other_person", "reporting", "source", "own",
    "past", "imminence", "purpose", "lethal",
)  # fmt: skip
_RULE_KEYS = {
    "id", "category", "level", "triggers", "patterns", "subject", "other_level", "negatable", "joke_level",
    "past_level", "escalates", "context_level", "method", "distress", "holds", "purpose_level",
}  # fmt: skip


class CrisisDataError(PromptError):
    """A crisis data file is missing or malformed; one line naming the file (a start-up error)."""


@dataclass(frozen=True)
class Rule:
    r"""One concept (e.g. "wanting to die"), its level and how context changes it. See the README, "Safety".

    `regex` is the rule's patterns as `(?<!\w)(?:patterns)(?!\w)`, or, where `shifted`, as `\W(?:patterns)(?!\w)`
    to be searched in the text with a space put in front: a match at i there is the unshifted match at i in the
    text, one character longer. The `\W` does what `(?<!\w)` does (the character before the match, or the added
    space at the start, is no letter or digit), but a pattern that starts with a character class lets the
    regular-expression engine skip to where a match can start instead of trying every position. A rule is
    shifted only where the added space cannot change what its patterns match: they hold no `^` or `\A`, and
    only plain look-behinds (`_PLAIN_LOOKBEHIND`)."""

    id: str
    category: Category
    level: Level
    regex: re.Pattern[str]
    patterns: tuple[str, ...]  # what `regex` alternates, each expanded: for `Lexicon.index`
    shifted: bool = False
    subject: str = "self"
    other_level: Level = Level.CONCERN
    negatable: bool = True
    joke_level: Level | None = None
    past_level: Level | None = None
    escalates: bool = False
    context_level: Level | None = None
    method: bool = False
    distress: bool = False
    # The rule's reading holds against the learned screen, which may raise it only to a direct question: for
    # wording that is as often everyday as a crisis, where what decides it is what nobody said ("I took my
    # pills": how many?). A holding rule may have level `none`: then it says nothing unless the screen does.
    holds: bool = False
    # The level when the message gives an everyday reason for asking (`purpose`: a trip, a class, the garden, a
    # camping trip, a child's dose) and says nothing in earnest: for method questions that are also ordinary ones.
    purpose_level: Level | None = None


@dataclass(frozen=True)
class Lexicon:
    normalise: Normaliser
    rules: tuple[Rule, ...]
    exact: Mapping[str, tuple[int, ...]]
    # Triggers that are stems ("overdos*"), by their first `stem_head` letters: a word is looked up once, and
    # only the few stems that share its head are compared with it.
    stems: Mapping[str, tuple[tuple[str, tuple[int, ...]], ...]]
    stem_head: int
    benign: PatternIndex | None  # the idioms (its one alternation), masked before the rules run
    context: Mapping[str, re.Pattern[str]]
    # The rules' patterns (alternation i is rule i's), searched only where a message holds the text they need.
    index: PatternIndex


def load_lexicon(folder: Path) -> Lexicon:
    normaliser = _load_normaliser(folder / "normalise.yaml")
    files = sorted((folder / "patterns").glob("*.yaml"))
    if not files:
        raise CrisisDataError(f"Crisis pattern files missing: {folder / 'patterns'}/*.yaml")
    defs: dict[str, str] = {}
    raw_context: dict[str, str] = {}
    benign: list[str] = []
    raw_rules: list[tuple[Path, dict[str, Any]]] = []
    for path in files:
        data = read_yaml(path)
        defs.update(_str_map(data.get("defs", {}), path, "defs"))
        raw_context.update(_str_map(data.get("context", {}), path, "context"))
        benign += [_expand(item, defs, path, "benign") for item in _str_list(data.get("benign", []), path, "benign")]
        rules = data.get("rules", [])
        if not isinstance(rules, list):
            raise CrisisDataError(f"Crisis data file {path}: 'rules' must be a list")
        raw_rules += [(path, rule) for rule in rules]
    missing = [key for key in _CONTEXT_KEYS if key not in raw_context]
    if missing:
        raise CrisisDataError(f"Crisis pattern files in {folder / 'patterns'}: context lacks {', '.join(missing)}")
    context = {key: _compile(_expand(value, defs, files[0], key), files[0], key) for key, value in raw_context.items()}
    rules_built = [_rule(path, raw, defs) for path, raw in raw_rules]
    idioms = _idioms(benign, files[0])
    exact, stems = _trigger_index(raw_rules)
    return Lexicon(
        normalise=normaliser,
        rules=tuple(rules_built),
        exact=exact,
        stems=_by_head(stems, head := min(map(len, stems), default=1)),
        stem_head=head,
        benign=PatternIndex([(benign, "", "", idioms)]) if idioms else None,
        context=context,
        index=PatternIndex([(rule.patterns, _start(rule), "(?!\\w)", rule.regex) for rule in rules_built]),
    )


def _load_normaliser(path: Path) -> Normaliser:
    data = read_yaml(path)
    substitutions = []
    for item in data.get("substitutions", []):
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(part, str) for part in item)):
            raise CrisisDataError(f"Crisis data file {path}: each substitution must be [pattern, replacement]")
        pattern = source(item[0])
        _compile(pattern, path, f"substitution {item[0]!r}")
        substitutions.append((pattern, item[1]))
    vocabulary = data.get("vocabulary", "")
    if not isinstance(vocabulary, str):
        raise CrisisDataError(f"Crisis data file {path}: 'vocabulary' must be words separated by spaces")
    emoji = _str_map(data.get("emoji", {}), path, "emoji")
    mention = data.get("mention")
    if mention is not None and not isinstance(mention, str):
        raise CrisisDataError(f"Crisis data file {path}: 'mention' must be a pattern")
    if mention:
        _compile(mention, path, "mention")
    return Normaliser.build(substitutions, vocabulary.split(), emoji, mention)


def source(pattern: str) -> str:
    """A pattern folded like the messages it will meet (case, accents, apostrophes, doubled letters)."""
    # Doubled letters are collapsed except right after a backslash, so `\bbye` keeps its `\b`.
    return re.sub(r"(?<!\\)([^\W\d_])\1+", r"\1", unaccent(pattern))


def _rule(path: Path, raw: Any, defs: Mapping[str, str]) -> Rule:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise CrisisDataError(f"Crisis data file {path}: every rule needs an 'id'")
    name = raw["id"]
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise CrisisDataError(f"Crisis data file {path}: rule '{name}' has unknown key(s) {', '.join(sorted(unknown))}")
    patterns = _str_list(raw.get("patterns"), path, f"rule '{name}' patterns")
    triggers = raw.get("triggers")
    if not patterns or not isinstance(triggers, str) or not triggers.split():
        raise CrisisDataError(f"Crisis data file {path}: rule '{name}' needs patterns and triggers (words)")
    if raw.get("level") == "none" and raw.get("holds") is not True:
        raise CrisisDataError(f"Crisis data file {path}: rule '{name}' has level none: only a rule that holds may")
    expanded = [_expand(item, defs, path, name) for item in patterns]
    body = "|".join(f"(?:{item})" for item in expanded)
    shifted = "^" not in body and "\\A" not in body and body.count("(?<") == len(_PLAIN_LOOKBEHIND.findall(body))
    return Rule(
        id=name,
        category=_enum(Category, raw.get("category"), path, name, "category"),
        level=_enum(Level, raw.get("level"), path, name, "level"),
        regex=_compile(f"{SHIFTED if shifted else UNSHIFTED}(?:{body})(?!\\w)", path, f"rule '{name}'"),
        shifted=shifted,
        subject=_choice(raw.get("subject", "self"), ("self", "any", "explicit"), path, name),
        other_level=_enum(Level, raw.get("other_level", "concern"), path, name, "other_level"),
        negatable=_flag(raw.get("negatable", True), path, name),
        joke_level=_optional_level(raw.get("joke_level"), path, name),
        past_level=_optional_level(raw.get("past_level"), path, name),
        escalates=_flag(raw.get("escalates", False), path, name),
        context_level=_optional_level(raw.get("context_level"), path, name),
        method=_flag(raw.get("method", False), path, name),
        distress=_flag(raw.get("distress", False), path, name),
        holds=_flag(raw.get("holds", False), path, name),
        purpose_level=_optional_level(raw.get("purpose_level"), path, name),
        patterns=tuple(expanded),
    )


def _trigger_index(
    raw_rules: list[tuple[Path, dict[str, Any]]],
) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """Which rules can fire for a word: a message only runs the rules one of its words could start."""
    exact: dict[str, list[int]] = {}
    stems: dict[str, list[int]] = {}
    for index, (_, raw) in enumerate(raw_rules):
        for trigger in raw["triggers"].split():
            word = collapse_repeats(fold(trigger.strip()))
            target = stems if word.endswith("*") else exact
            target.setdefault(word.rstrip("*"), []).append(index)
    return {k: tuple(v) for k, v in exact.items()}, {k: tuple(v) for k, v in stems.items()}


def _by_head(stems: Mapping[str, tuple[int, ...]], head: int) -> dict[str, tuple[tuple[str, tuple[int, ...]], ...]]:
    grouped: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
    for stem, rules in stems.items():
        grouped.setdefault(stem[:head], []).append((stem, rules))
    return {first: tuple(group) for first, group in grouped.items()}


def _idioms(idioms: list[str], path: Path) -> re.Pattern[str] | None:
    """The idioms' alternation. A bad idiom, or one that can match nothing (it would mask between every two
    letters), stops start-up."""
    for idiom in idioms:
        _compile(idiom, path, "benign")
        if can_match_nothing(idiom):
            raise CrisisDataError(f"Crisis data file {path}: benign: {idiom!r} can match nothing; give it words")
    return _compile("|".join(f"(?:{idiom})" for idiom in idioms), path, "benign") if idioms else None


def _start(rule: Rule) -> str:
    return SHIFTED if rule.shifted else UNSHIFTED


def _expand(pattern: str, defs: Mapping[str, str], path: Path, where: str) -> str:
    for _ in range(8):
        expanded = _DEF.sub(lambda m: _lookup(defs, m[1], path, where), pattern)
        if expanded == pattern:
            return source(expanded)
        pattern = expanded
    raise CrisisDataError(f"Crisis data file {path}: {where}: definitions nest too deeply")


def _lookup(defs: Mapping[str, str], name: str, path: Path, where: str) -> str:
    if name not in defs:
        raise CrisisDataError(f"Crisis data file {path}: {where}: unknown definition {{{name}}}")
    return f"(?:{defs[name]})"


def _compile(pattern: str, path: Path, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise CrisisDataError(f"Crisis data file {path}: {where}: bad pattern ({exc.msg})") from None


def phrases(path: Path, key: str, value: object) -> list[str]:
    """A list of phrases (regular expressions) under `key` of a crisis data file."""
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise CrisisDataError(f"Crisis data file {path}: '{key}' must be a list of phrases")
    return [item.strip() for item in value]


def compiled(path: Path, key: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise CrisisDataError(f"Crisis data file {path}: '{key}' is not a valid pattern ({exc})") from None


def read_yaml(path: Path) -> dict[str, Any]:
    return read_mapping(path, CrisisDataError, "Crisis data file")


def _str_map(value: Any, path: Path, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise CrisisDataError(f"Crisis data file {path}: '{where}' must map names to text")
    return value


def _str_list(value: Any, path: Path, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise CrisisDataError(f"Crisis data file {path}: '{where}' must be a list of text")
    return value


def _enum(kind: type[Level] | type[Category], value: Any, path: Path, rule: str, key: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise CrisisDataError(f"Crisis data file {path}: rule '{rule}' has a bad {key} {value!r}") from None


def _optional_level(value: Any, path: Path, rule: str) -> Level | None:
    return None if value is None else _enum(Level, value, path, rule, "level")


def _flag(value: Any, path: Path, rule: str) -> bool:
    if not isinstance(value, bool):
        raise CrisisDataError(f"Crisis data file {path}: rule '{rule}' has a flag that is not true/false")
    return value


def _choice(value: Any, allowed: tuple[str, ...], path: Path, rule: str) -> str:
    if value not in allowed:
        raise CrisisDataError(f"Crisis data file {path}: rule '{rule}' subject must be one of {', '.join(allowed)}")
    return str(value)
