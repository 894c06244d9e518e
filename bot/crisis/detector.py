"""The pattern detector: one message in, a level and categories out. Pure, fast, no I/O.

A rule names a concept ("wanting to die", "a method question") and its level; whether it applies is decided
by what surrounds the match, in the same way for every rule:
- who the sentence is about (the nearest subject before the match: "I" or "my friend"),
- negation between that subject and the match ("I would never ..."),
- laughter anywhere in the message ("lol", 😂), or a small everyday annoyance named as the cause ("kms this
  printer"), for rules that are often hyperbole,
- the past ("I used to cut myself") for rules where that matters,
- imminence ("tonight", "I have the pills") which raises intent to `imminent`,
- an everyday reason given for a method question ("we're visiting in May", "for the aphids on my roses"),
  for rules that are also ordinary questions.
Idioms ("this commute is killing me", "kill the process") are masked out before any rule runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import repeat

from bot.crisis.lexicon import SHIFTED, UNSHIFTED, Lexicon, Rule
from bot.models import Category, Level

_WINDOW = 60  # characters before a match that can hold its subject and a negation
_WINDOW_WORDS = 6
_MAX_HITS = 16
_CAUSE_REACH = 90  # characters either side of a match where a small annoyance reads as its cause


@dataclass(frozen=True, slots=True)
class Hit:
    rule: str
    category: Category
    level: Level
    method: bool
    distress: bool
    context_level: Level | None
    span: tuple[int, int] = (0, 0)
    # Lowered because it reads as hyperbole over a small annoyance, or as someone else's words; or the reading of
    # a rule that holds (`Rule.holds`): the learned screen may not overturn it.
    light: bool = False
    # Where the message gives an everyday reason for a method question (`Rule.purpose_level`): the level it falls
    # to unless the same message shows distress elsewhere (`_combine`).
    excused: Level | None = None


@dataclass(frozen=True, slots=True)
class Detection:
    level: Level
    categories: frozenset[Category]
    hits: tuple[Hit, ...]
    text: str = ""  # the text the hits' spans are in (normalised, idioms masked)
    # Where method questions asked for an everyday reason were dropped (`Rule.purpose_level`): still questions.
    excused: tuple[tuple[int, int], ...] = ()
    # The level is a method question's read in the light of distress beside it ("I lost my job. Which bridges
    # are taller than 25 m?"), above anything the message says by itself: it asks, it does not say it is now.
    asked_beside: bool = False

    @property
    def method_question(self) -> bool:
        return any(hit.method for hit in self.hits)

    @property
    def only_asks(self) -> bool:
        """A method question (perhaps asked for an everyday reason) and nothing else the rules make anything of:
        their reading is of the question."""
        asked = [hit.span for hit in self.hits if hit.method] + list(self.excused)
        return bool(asked) and not any(
            (hit.level.at_least(Level.CONCERN) or hit.distress)
            and not any(start <= hit.span[0] and hit.span[1] <= end for start, end in asked)  # its own words
            for hit in self.hits
            if not hit.method
        )

    def around_method(self) -> str:
        """The text without the words of its method questions: what is said besides asking."""
        text, parts, done = self.text, [], 0
        for start, end in sorted([*(hit.span for hit in self.hits if hit.method), *self.excused]):
            if start >= done:
                parts += [text[done:start], " ~ "]
            done = max(done, end)
        return "".join([*parts, text[done:]])

    @property
    def distress(self) -> bool:
        return any(hit.distress or hit.level.at_least(Level.CONCERN) for hit in self.hits if not hit.method)

    @property
    def read_lightly(self) -> bool:
        """Concern (or nothing) only because a match that would have been urgent reads as hyperbole over a small
        annoyance or as someone else's words, or because a holding rule read it so ("I took my pills"): a reading
        the learned screen must not overturn (it asks directly instead). A laugh is not this: it often covers
        what is meant, and the screen may see through it."""
        return not self.level.at_least(Level.URGENT) and any(hit.light for hit in self.hits)

    @property
    def read_as(self) -> frozenset[Category]:
        """What the light readings are about, a holding rule's of level none included ("I took my pills":
        medical): when the screen is held to a direct question, the question is about this."""
        return frozenset(hit.category for hit in self.hits if hit.light)

    def raised_by_context(self) -> Level:
        """The level this message would have after earlier distress in the same conversation."""
        return Level.highest(self.level, *(hit.context_level for hit in self.hits if hit.context_level))


NOTHING = Detection(Level.NONE, frozenset(), ())


class Detector:
    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon
        self._shifted = tuple(rule.shifted for rule in lexicon.rules)

    def normalise(self, text: str) -> str:
        return self._lexicon.normalise(text)

    @property
    def uncompiled(self) -> int:
        """How many rules and idiom lists `prepare` has yet to compile."""
        benign = self._lexicon.benign
        return self._lexicon.index.unbuilt + (benign.unbuilt if benign is not None else 0)

    def prepare(self) -> None:
        """Compile every pattern now (for a long-running bot, at start-up), not when a message first needs it. May
        run on another thread while messages are judged (`PatternIndex.build_all`)."""
        self._lexicon.index.build_all()
        if self._lexicon.benign is not None:
            self._lexicon.benign.build_all()

    def detect(self, text: str) -> Detection:
        return self.detect_normalised(self._lexicon.normalise(text))

    def detect_normalised(self, text: str, *, all_rules: bool = False) -> Detection:
        candidates = range(len(self._lexicon.rules)) if all_rules else self._candidates(text)
        if not candidates:
            return NOTHING
        found = self._first_matches(candidates, text)
        if not found:
            return NOTHING
        benign = self._lexicon.benign
        if benign is not None:
            masked = benign.sub(0, " ~ ", text)  # idioms are masked only when something matched: most text never pays
            if masked != text:
                text, found = masked, self._first_matches(candidates, masked)
        flags = _Flags(self._lexicon, text)
        spaced = f" {text}"
        return _combine([hit for rule, first in found for hit in self._hits(rule, text, spaced, first, flags)], text)

    def _candidates(self, text: str) -> set[int]:
        lexicon = self._lexicon
        words = set(text.split())
        found: set[int] = set().union(*map(lexicon.exact.get, words, repeat(())))  # the lookups run in C
        head = lexicon.stem_head
        for word in words:
            stems = lexicon.stems.get(word[:head])
            if stems:  # a word is a stem's when it starts with it (and so is at least as long)
                found.update(*(rules for stem, rules in stems if word.startswith(stem)))
        return found

    def _first_matches(self, candidates: Iterable[int], text: str) -> list[tuple[Rule, int]]:
        """The candidate rules that match `text`, in the lexicon's order, each with where its first match starts:
        each is searched only with the patterns the message could match (`Lexicon.index`), and the rules that
        cannot match are not searched again for their hits."""
        rules = self._lexicon.rules
        first = self._lexicon.index.first_starts(candidates, text, self._shifted)
        return [(rules[index], first[index]) for index in sorted(first)]

    def _hits(self, rule: Rule, text: str, spaced: str, first: int, flags: _Flags) -> list[Hit]:
        hits: list[Hit] = []
        for start, end in _spans(rule, text, spaced, first):  # from its first match on: nothing before it matches
            if len(hits) >= _MAX_HITS:
                break  # more of the same cannot change the outcome, and a flood must not cost seconds
            judged = _judge(rule, text, start, end, flags)
            if judged is not None:
                level, light = judged
                excused = _excused(rule, text, start, end, flags)
                hits.append(
                    Hit(
                        rule.id,
                        rule.category,
                        level,
                        rule.method,
                        rule.distress,
                        rule.context_level,
                        (start, end),
                        light,
                        excused,
                    )
                )
        return hits


def _spans(rule: Rule, text: str, spaced: str, start: int) -> Iterator[tuple[int, int]]:
    """Where `rule` matches in `text` from `start` on, one after the other without overlapping, as `finditer`
    gives them. A shifted rule is searched in `spaced` (`text` with a space in front) from `start`, where its
    `\\W` reads the character before `start` as `(?<!\\w)` would; a match there is one longer at the front."""
    if not rule.shifted:
        for match in rule.regex.finditer(text, start):
            yield match.span()
        return
    while (found := rule.regex.search(spaced, start)) is not None:
        begin, end = found.start(), found.end() - 1
        if begin == end:
            # Empty in `text` (no rule should match nothing): `finditer` treats what follows as `re` does.
            unshifted = re.compile(UNSHIFTED + rule.regex.pattern[len(SHIFTED) :])
            yield from (match.span() for match in unshifted.finditer(text, start))
            return
        yield begin, end
        start = end


class _Flags:
    """Whole-message facts, each computed at most once and only when a rule asks."""

    def __init__(self, lexicon: Lexicon, text: str) -> None:
        self._context = lexicon.context
        self._text = text
        self._seen: dict[str, bool] = {}
        self._past: dict[tuple[int, int], bool] = {}

    def past(self, start: int, end: int) -> bool:
        """Whether the sentence around a match speaks of the past. Read once per sentence: in a long message
        with no full stops the sentence is the whole message, and every match would read it again."""
        bounds = _sentence(self._text, start, end)
        if bounds not in self._past:
            self._past[bounds] = self._context["past"].search(self._text[bounds[0] : bounds[1]]) is not None
        return self._past[bounds]

    def __call__(self, name: str) -> bool:
        if name not in self._seen:
            self._seen[name] = self._context[name].search(self._text) is not None
        return self._seen[name]

    def outside(self, name: str, start: int, end: int, reach: int | None = None) -> bool:
        """Whether `name` is found outside text[start:end], within `reach` characters of it (None: anywhere in
        the message). The words of a match are not their own cause ("walk into traffic") or their own despair
        ("want to die")."""
        key = f"{name} {start} {end} {reach}"
        if key not in self._seen:
            text = self._text
            before, after = (
                (text[:start], text[end:])
                if reach is None
                else (text[max(0, start - reach) : start], text[end : end + reach])
            )
            self._seen[key] = self._context[name].search(f"{before} ~ {after}") is not None
        return self._seen[key]

    def matches(self, name: str, text: str) -> bool:
        return self._context[name].search(text) is not None

    def is_word(self, name: str, word: str) -> bool:
        return self._context[name].fullmatch(word) is not None


# Where a small annoyance named as the cause reads as hyperbole ("kms this printer", "i will end him, this lag"):
# not self-harm, a medical emergency or voices, where a mundane thing can be the trigger or the means.
_HYPERBOLE = frozenset({Category.SUICIDE, Category.HARM_TO_OTHERS})


def _judge(rule: Rule, text: str, start: int, end: int, flags: _Flags) -> tuple[Level, bool] | None:
    """The level one match stands for once its surroundings are taken into account (None: it does not count),
    and whether it was lowered for reading as hyperbole or someone else's words."""
    first = text[start:end].split(" ", 1)[0]
    if flags.is_word("first_person", first):
        # The match carries its own subject ("ich will sterben"): only the word right before can negate it
        # ("no quiero morir"), not an earlier clause ("ich kann nicht mehr, ich will sterben").
        words = _clause_before(text, start).split()[-_WINDOW_WORDS:]
        subject, between = "reported" if _reported(words, len(words), flags) else "self", " ".join(words[-1:])
    else:
        subject, between = _subject(_clause_before(text, start), flags)
    reported = subject == "reported"
    if reported:
        # Someone else's words ("she said i want to die"), unless the message is earnest or names a time.
        subject = "self" if flags("imminence") or flags.outside("earnest", start, end) else "other"
        reported = subject == "other"
    if rule.negatable and flags.matches("negation", between):
        return None
    if rule.subject == "explicit" and subject != "self":
        return None
    level = rule.level
    if rule.subject == "self" and subject == "other":
        level = min(level, rule.other_level, key=lambda lv: lv.rank)
    light = reported and level.rank < rule.level.rank
    if rule.past_level is not None and flags.past(start, end):
        level = min(level, rule.past_level, key=lambda lv: lv.rank)
    if rule.joke_level is not None and flags("laughter"):
        level = min(
            level, rule.joke_level, key=lambda lv: lv.rank
        )  # laughter is often a cover: the screen may see through it
    elif rule.joke_level is not None and rule.category in _HYPERBOLE and _hyperbole(flags, start, end):
        # Hyperbole at most, never nothing: Hearth still answers carefully and keeps the lines near.
        lowered = min(level, Level.highest(rule.joke_level, Level.CONCERN), key=lambda lv: lv.rank)
        light = light or lowered.rank < level.rank
        level = lowered
    if rule.escalates and level is Level.URGENT and flags("imminence"):
        level = Level.IMMINENT
    if rule.holds:
        return level, True
    return None if level is Level.NONE else (level, light)


def _excused(rule: Rule, text: str, start: int, end: int, flags: _Flags) -> Level | None:
    """The level a method question falls to where an everyday reason is given for it ("we're visiting in May",
    "for my physics homework", "the aphids on my roses", "for a 3 year old") and nothing is said in earnest
    outside it; None where no reason is given. A question of what would kill, in so many words, is never an
    ordinary one, whatever the reason ("for my pharmacology class, how much acetaminophen is lethal?"): it
    stays concern, and urgent after distress."""
    if rule.purpose_level is None or not flags("purpose") or flags.outside("earnest", start, end):
        return None
    if rule.purpose_level is Level.NONE and flags.matches("lethal", text[start:end]):
        return Level.CONCERN
    return rule.purpose_level


def _hyperbole(flags: _Flags, start: int, end: int) -> bool:
    """A small annoyance named as the cause, and nothing said in earnest: no despair or insistence outside the
    match, and no time, plan or means anywhere (those are never lowered)."""
    if not flags("mundane") or flags("imminence"):
        return False
    return flags.outside("mundane", start, end, _CAUSE_REACH) and not flags.outside("earnest", start, end)


def _clause_before(text: str, start: int) -> str:
    before = text[max(0, start - _WINDOW) : start]
    cut = max(before.rfind(" . "), before.rfind(" ? "), before.rfind(" ! "), before.rfind(" ~ "))
    return before[cut + 3 :] if cut >= 0 else before


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence holding text[start:end] begins and ends."""
    left = max(text.rfind(" . ", 0, start), text.rfind(" ? ", 0, start), text.rfind(" ! ", 0, start))
    rights = [pos for pos in (text.find(" . ", end), text.find(" ? ", end), text.find(" ! ", end)) if pos >= 0]
    return left + 1, min(rights) if rights else len(text)


def _subject(before: str, flags: _Flags) -> tuple[str, str]:
    """("self" | "other" | "none", the words between that subject and the match)."""
    words = before.split()[-_WINDOW_WORDS:]
    for position in range(len(words) - 1, -1, -1):
        word = words[position]
        if word == "my" and position < len(words) - 1 and not flags.is_word("own", words[position + 1]):
            return "other", " ".join(words[position + 2 :])  # "my dog is going to die": the dog is the subject
        if flags.is_word("first_person", word):
            # A verb that carries its person ("quiero", "quero", "voglio", "chce") is negated by the word before
            # it: "no quiero hacerme daño", "não quero me machucar", "non voglio farmi del male".
            start = position - 1 if position and word not in _PRONOUNS else position
            return "reported" if _reported(words, position, flags) else "self", " ".join(words[start:])
        if flags.is_word("other_person", word):
            return "other", " ".join(words[position + 1 :])
    return "none", " ".join(words[-2:])


_OBJECT_FORMS = frozenset({"me", "my", "myself", "mine", "moi", "mich", "mir", "mim"})
# The words of `first_person` that are pronouns; the others are verbs that carry their person.
_PRONOUNS = frozenset({"i", "im", "ive", "id", "ill", "je", "jai", "j", "ich", "yo", "eu", "io", "ik", *_OBJECT_FORMS})
_DETERMINERS = frozenset({"my", "the", "a", "an", "his", "her", "their", "our", "your", "this", "that"})
_SPEAKER_FILLER = frozenset({"was", "is", "were", "just", "always", "keeps", "kept", "then", "also", "even", "a", "ha"})
# What speaks inside a person's own head is not reported speech: "the voices say i should die" stays theirs.
_INNER_SPEAKERS = frozenset({"voice", "voices", "god", "devil", "satan", "demon", "demons", "spirit", "spirits", "it"})


def _reported(words: list[str], position: int, flags: _Flags) -> bool:
    """Whether the "I" at words[position] opens someone else's words: a verb of saying right before it, said by
    another person or a work ("my coworker said i", "the character says i", "shes like i", "he told me i").
    "i told her i", "i called my mom and said i" and "i feel like i" are the person's own."""
    if position < len(words) and words[position] in _OBJECT_FORMS:
        return False  # "they keep telling me to ...": an order, not someone else's words
    j = position - 1
    if j >= 0 and words[j] in ("that", "que", "dass", "che"):
        j -= 1
    if j >= 0 and words[j] in ("me", "us"):
        j -= 1
    if j < 1 or not flags.is_word("reporting", words[j]):
        return False
    k = j - 1
    while k > 0 and words[k] in _SPEAKER_FILLER:
        k -= 1
    speaker = words[k]
    if flags.is_word("first_person", speaker) or flags.is_word("own", speaker) or speaker in _INNER_SPEAKERS:
        return False
    if flags.is_word("other_person", speaker) or flags.is_word("source", speaker):
        return True
    return k >= 1 and words[k - 1] in _DETERMINERS  # "my coworker said", "the new guy said"


def _apart(one: Hit, other: Hit) -> bool:
    return one.span[1] <= other.span[0] or other.span[1] <= one.span[0]


def _combine(hits: list[Hit], text: str) -> Detection:
    # An ambiguous match (a method question, "I want to go") next to another sign of distress in the same
    # message is read in its light, as an earlier message would be: "I lost my job. Which bridges are taller
    # than 25 m?"
    signs = [
        hit
        for hit in hits
        if hit.excused is None and (hit.distress or hit.context_level is not None or hit.level.at_least(Level.CONCERN))
    ]
    excused: tuple[tuple[int, int], ...] = ()
    if any(hit.excused is not None for hit in hits):
        hits, excused = _excuse(hits, signs)
    if not hits:
        return Detection(Level.NONE, frozenset(), (), text, excused) if excused else NOTHING
    level = said = Level.highest(*(hit.level for hit in hits))
    for hit in hits:
        # Another sign elsewhere in the message, not the same words read by a second rule. For a method question
        # not another method question: several, without distress, are still questions ("what's the tallest
        # bridge, and does it have a barrier?").
        if hit.context_level is not None and any(
            _apart(hit, other) and not (hit.method and other.method) for other in signs[:_MAX_HITS]
        ):
            level = Level.highest(level, hit.context_level)
            said = said if hit.method else Level.highest(said, hit.context_level)
    categories = frozenset(hit.category for hit in hits if hit.level.at_least(Level.CONCERN))
    for category, carriers in _CARRIED:
        if category in categories and _only_inside(hits, category, carriers):
            categories -= {category}
    return Detection(level, categories, tuple(hits), text, excused, level.rank > said.rank)


def _excuse(hits: list[Hit], signs: list[Hit]) -> tuple[list[Hit], tuple[tuple[int, int], ...]]:
    """A method question asked for an everyday reason falls to its rule's `purpose_level` (none: it is dropped,
    and its span returned), unless a sign of distress stands apart from it in the message: "i've been crying for
    hours. how long does it take to drown if you just stop swimming" is not about swimming."""
    troubled = [sign for sign in signs if sign.distress or sign.level.at_least(Level.URGENT)][:_MAX_HITS]
    kept, dropped = [], []
    for hit in hits:
        if hit.excused is None or any(_apart(hit, sign) for sign in troubled):
            kept.append(replace(hit, excused=None) if hit.excused is not None else hit)
        elif hit.excused is not Level.NONE:
            kept.append(replace(hit, level=min(hit.level, hit.excused, key=lambda lv: lv.rank), excused=None))
        else:
            dropped.append(hit.span)
    return kept, tuple(dropped)


# A concern of the first kind that lies wholly inside the words of an urgent match of the second is that match's
# detail, not a crisis of its own:
# - harm to others inside the person's own suicide or self-harm (whom is not said: a weapon bought, "kill
#   yourself"): "i bought a gun to kill myself", "painless ways to kill yourself". Read as a threat to others, the
#   reply would open with "it's important that nobody gets hurt". A threat in words of its own ("i want to die
#   and i could kill him") stays one.
# - suicide inside an attack on the person: "he put a gun to my head" is someone else's weapon, and the reply
#   speaks to the person's safety from him, not to their wish to die.
_CARRIED = (
    (Category.HARM_TO_OTHERS, frozenset({Category.SUICIDE, Category.SELF_HARM})),
    (Category.SUICIDE, frozenset({Category.ABUSE})),
)


def _only_inside(hits: list[Hit], category: Category, carriers: frozenset[Category]) -> bool:
    """Whether every match of `category` is a concern inside the span of an urgent match of `carriers`."""
    spans = [hit.span for hit in hits if hit.category in carriers and hit.level.at_least(Level.URGENT)]
    return all(
        hit.level is Level.CONCERN and any(start <= hit.span[0] and hit.span[1] <= end for start, end in spans)
        for hit in hits
        if hit.category is category and hit.level.at_least(Level.CONCERN)
    )
