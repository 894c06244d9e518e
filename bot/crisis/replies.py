"""The deterministic crisis replies, composed from `prompts/crisis/replies/<language>.yaml` and the country's lines.

No LLM is involved: what a person in crisis reads was written and reviewed in advance (SAFETY.md, "Rules for
every crisis reply"). The order is fixed: the emergency number first when in danger; acknowledgement; for a
means question, that Hearth will not answer it; that Hearth is a bot; the lines; reaching a person; the handoff.
The emergency line and the encouragement to reach a person are worded for the reply's leading category: someone
about to hurt another person, or living with abuse, is not told "if you have already hurt yourself" or "feelings
this strong can change".

English (`en.yaml`) is required. Every other language file must hold every text English holds, checked at
start-up, so a person is never answered in half one language and half another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from bot.crisis.consent_answers import ConsentAnswers, load_consent_answers
from bot.crisis.corrections import Corrections, load_corrections
from bot.crisis.language import DEFAULT_LANGUAGE, LanguageModel, guess_language
from bot.crisis.lexicon import CrisisDataError, read_yaml
from bot.crisis.resources import FALLBACK, HELPLINE_SITE, ContactWords, CountryLines
from bot.models import Category
from bot.yamlfile import placeholders

# Each fixed text and the placeholders it may use.
TEXTS: dict[str, frozenset[str]] = {
    "bot": frozenset(),
    # A later crisis reply in the same crisis, telling nothing new: instead of the opening and `bot`.
    "still_here": frozenset(),
    "lines_header": frozenset({"country"}),
    # Inside the crisis reply to a message that asks for means or a method (SAFETY.md rule 2).
    "method_in_crisis": frozenset(),
    "handoff_offer": frozenset(),
    "handoff_offer_lines": frozenset(),
    "moderators_alerted": frozenset(),
    "alert_undelivered": frozenset({"emergency"}),
    "public_notice": frozenset(),
    "check_in": frozenset(),
    "check_in_medical": frozenset({"emergency"}),
    "method_declined": frozenset(),
    "handoff_sent": frozenset(),
    "handoff_share_offer": frozenset(),
    "handoff_shared": frozenset({"summary"}),
    # "Talk to a person" again in the same crisis, after moderators were told {when} (one of the `told_` texts):
    # no second alert (bot/alerted.py); `handoff_already_shared` when the summary went too.
    "handoff_already": frozenset({"when"}),
    "handoff_already_shared": frozenset({"when"}),
    "told_just_now": frozenset(),
    "told_minutes_ago": frozenset({"n"}),
    "told_hours_ago": frozenset({"n"}),
    "handoff_none": frozenset(),
    "handoff_unreachable": frozenset(),
    "resources_intro": frozenset(),
    "summary": frozenset({"what"}),
    # Where no country's lines are known: the emergency number in words, and the directory's line, by name.
    "local_emergency": frozenset(),
    "find_a_helpline": frozenset(),
    # Below those lines where the person's country is not known at all: how to get its own lines (`/country`).
    "country_ask": frozenset(),
    # The Discord adapter's last resort, when a private reply could not go by DM (adapters/discord/lastresort.py).
    "dm_closed": frozenset(),
    "dm_failed": frozenset(),
    "dm_missed": frozenset({"why"}),
    "dm_how": frozenset(),
    "dm_sent": frozenset(),
    # Near a crisis, outside the crisis reply: a "no" to the direct question, a crisis reply that misread them,
    # and what works without an LLM after either (bot/reply.py, bot/consent.py).
    "safety_no": frozenset(),
    "safety_no_medical": frozenset({"emergency"}),
    "crisis_corrected": frozenset(),
    "safety_no_offer": frozenset(),
    # What works without an LLM, and the LLM failing (bot/reply.py); /country's confirmations and a country with
    # no lines of its own (bot/commands.py): all read right beside the crisis lines.
    "no_llm": frozenset(),
    "llm_down": frozenset(),
    "country_set": frozenset({"country"}),
    "country_set_unlisted": frozenset({"country"}),
    "country_cleared": frozenset(),
    "no_lines_for": frozenset({"country"}),
    # While every LLM slot stays taken, and the answer to an exercise's closing question with no LLM (bot/reply.py):
    # in crisis mode these follow the crisis lines too.
    "llm_busy": frozenset(),
    "no_llm_after_exercise": frozenset(),
    # /country's help and its refusal of what is no country (bot/commands.py): a name Hearth does not know
    # ({name}, as typed), two letters that are no code ({code}).
    "country_help": frozenset({"current", "shown"}),
    "country_not_set": frozenset(),
    "country_international": frozenset(),
    "country_unknown_name": frozenset({"name"}),
    "country_unknown": frozenset({"code"}),
    "country_kept": frozenset(),
    # First contact, before consent (bot/consent.py, bot/tools/stage.py), and the answers to a yes or a no.
    # `privacy` (what is kept, for how long, /mydata, /forget) is the disclaimer's {privacy}; it is also shown alone
    # once after a crisis reply that was someone's first contact (bot/introduction.py).
    "disclaimer": frozenset({"privacy"}),
    "privacy": frozenset({"context_minutes"}),
    "consent_needed": frozenset(),
    "consent_given": frozenset(),
    "consent_declined": frozenset(),
    # The moderators' summary when no category is known; the Discord thread a channel message is answered in.
    "unspecified_distress": frozenset(),
    "thread_name": frozenset(),
}
# Texts worded for a reply's category: `default`, and one per category listed, in the order that decides which
# one a reply with several categories reads. The emergency line speaks to the most pressing danger (an injury or
# an overdose first); whom to tell puts abuse first, since the person near them may be the one who hurt them.
BY_CATEGORY: dict[str, tuple[frozenset[str], tuple[Category, ...]]] = {
    "imminent_first": (
        frozenset({"emergency"}),
        (Category.MEDICAL, Category.ABUSE, Category.PSYCHOSIS, Category.HARM_TO_OTHERS),
    ),
    "reach_person": (frozenset(), (Category.ABUSE, Category.MEDICAL, Category.HARM_TO_OTHERS)),
}
DEFAULT = "default"
# Button labels, in the reader's language.
LABELS = ("talk_to_person", "show_lines", "share_summary", "consent")


@dataclass(frozen=True)
class Texts:
    language: str
    fixed: Mapping[str, str]
    by_category: Mapping[str, Mapping[Category, str]]
    opening: Mapping[Category, str]
    category_words: Mapping[Category, str]
    labels: Mapping[str, str]
    contact: ContactWords

    def say(self, key: str, **values: str) -> str:
        return self.fixed[key].format(**values) if values else self.fixed[key]

    def say_for(self, key: str, categories: Iterable[Category], **values: str) -> str:
        """The `BY_CATEGORY` text of the first category, in that key's order, among `categories`, else its default."""
        present = frozenset(categories)
        text = next((own for category, own in self.by_category[key].items() if category in present), self.fixed[key])
        return text.format(**values) if values else text

    def label(self, key: str) -> str:
        return self.labels[key]

    def where(self, country: CountryLines) -> CountryLines:
        """The directory's entry as this language reads it: the fallback for an unknown country (findahelpline.com)
        is written in English in resources.yaml, so its emergency wording and line name come from this file."""
        if country.code != FALLBACK:
            return country
        named = tuple(
            replace(line, name=self.say("find_a_helpline")) if HELPLINE_SITE in line.url else line
            for line in country.lines
        )
        return replace(country, emergency=self.say("local_emergency"), lines=named)

    def render(self, country: CountryLines) -> str:
        return country.render(self.contact)

    def lines(self, country: CountryLines) -> str:
        return f"{self.say('lines_header', country=country.name)}\n{self.render(country)}"

    def crisis(
        self,
        categories: list[Category],
        country: CountryLines,
        *,
        imminent: bool,
        moderators: bool,
        alerted: bool,
        method: bool = False,
        again: bool = False,
        ask_country: bool = False,
    ) -> str:
        """`again`: the conversation had a crisis reply about the same already; Hearth says it is still there
        (`still_here`, which says it is a bot too) instead of the opening and the bot line. `ask_country`: the
        person's country is not known, so the lines are the directory's; they are told how to get their own."""
        opening = self.opening[categories[0] if categories else Category.SUICIDE]
        parts = [self.say("still_here") if again else opening]
        if imminent or Category.MEDICAL in categories:
            # In immediate danger the emergency number comes before anything else (SAFETY.md rule 3).
            parts.insert(0, self.say_for("imminent_first", categories, emergency=country.emergency))
        if method:  # a means question is never answered, and the reply says so (SAFETY.md rule 2)
            parts.append(self.say("method_in_crisis"))
        parts += [] if again else [self.say("bot")]
        parts.append(self.render(country))
        if ask_country:
            parts.append(self.say("country_ask"))
        parts.append(self.say_for("reach_person", categories))
        if alerted:
            parts.append(self.say("moderators_alerted"))
        else:
            parts.append(self.say("handoff_offer" if moderators else "handoff_offer_lines"))
        return "\n\n".join(parts)

    def summary(self, categories: list[Category]) -> str:
        what = ", ".join(self.category_words[category] for category in categories) or self.say("unspecified_distress")
        return self.say("summary", what=what)


@dataclass(frozen=True)
class Phrasebook:
    """The crisis texts in every language Hearth has them in, a guess at which one a message is in, the
    phrases, in any of them, that say a crisis reply misread someone, and the words that answer the consent
    question."""

    by_language: Mapping[str, Texts]
    markers: Mapping[str, frozenset[str]]
    corrections: Corrections
    consent: ConsentAnswers
    model: LanguageModel

    def language_of(self, text: str, *, short: bool = True) -> str | None:
        return guess_language(text, self.markers, self.model, short=short)

    def of_locale(self, locale: str | None) -> str | None:
        """The language of a locale tag ("pt-BR" → "pt"), if Hearth has texts in it."""
        language = (locale or "").replace("_", "-").split("-")[0].lower()
        return language if language in self.by_language else None

    def __call__(self, language: str | None = None) -> Texts:
        return self.by_language.get(language or DEFAULT_LANGUAGE, self.by_language[DEFAULT_LANGUAGE])


def load_phrasebook(folder: Path, model: LanguageModel | None = None) -> Phrasebook:
    """`folder/<language>.yaml` for each language; English is required. `model` reads which language a message is
    in (loaded for these languages when not given; it must know each of them)."""
    files = {path.stem: path for path in sorted(folder.glob("*.yaml"))}
    if DEFAULT_LANGUAGE not in files:
        raise CrisisDataError(f"Crisis reply file missing: {folder / DEFAULT_LANGUAGE}.yaml")
    data = {language: read_yaml(path) for language, path in files.items()}
    consent = {language: load_consent_answers(files[language], data[language]) for language in files}
    try:
        model = LanguageModel(files) if model is None else model
    except ValueError as exc:
        raise CrisisDataError(f"Crisis reply files in {folder}: {exc}") from None
    if not model.languages >= set(files):
        raise CrisisDataError(f"Crisis reply files in {folder}: the language model was not loaded for all of them")
    return Phrasebook(
        by_language={language: _texts(files[language], data[language]) for language in files},
        markers={language: _markers(files[language], data[language]) for language in files},
        corrections=Corrections.merged(load_corrections(files[language], data[language]) for language in files),
        consent=ConsentAnswers(
            agree={language: agree for language, (agree, _) in consent.items()},
            decline={language: decline for language, (_, decline) in consent.items()},
        ),
        model=model,
    )


def _texts(path: Path, data: Mapping[str, object]) -> Texts:
    fixed: dict[str, str] = {}
    for key, allowed in TEXTS.items():
        fixed[key] = _text(path, key, data.get(key), allowed)
    by_category: dict[str, dict[Category, str]] = {}
    for key, (allowed, categories) in BY_CATEGORY.items():
        fixed[key], by_category[key] = _by_category(path, key, data.get(key), allowed, categories)
    labels = _section(path, "labels", data)
    contact = _section(path, "contact", data)
    return Texts(
        language=path.stem,
        fixed=fixed,
        by_category=by_category,
        opening=_per_category(path, "opening", data.get("opening")),
        category_words=_per_category(path, "category_words", data.get("category_words")),
        labels={key: _text(path, f"labels.{key}", labels.get(key), frozenset()) for key in LABELS},
        contact=ContactWords(
            call=_text(path, "contact.call", contact.get("call"), frozenset({"number"})),
            text=_text(path, "contact.text", contact.get("text"), frozenset({"number"})),
            chat=_text(path, "contact.chat", contact.get("chat"), frozenset({"address"})),
        ),
    )


def _markers(path: Path, data: Mapping[str, object]) -> frozenset[str]:
    raw = data.get("markers")
    if not isinstance(raw, str) or not raw.split():
        raise CrisisDataError(f"Crisis data file {path}: 'markers' must list the language's common words")
    return frozenset(raw.split())


def _section(path: Path, key: str, data: Mapping[str, object]) -> Mapping[str, object]:
    raw = data.get(key)
    if not isinstance(raw, dict):
        raise CrisisDataError(f"Crisis data file {path}: '{key}' must be a mapping")
    return raw


def _per_category(path: Path, key: str, raw: object) -> dict[Category, str]:
    if not isinstance(raw, dict):
        raise CrisisDataError(f"Crisis data file {path}: '{key}' must map each category to text")
    return {
        category: _text(path, f"{key}.{category.value}", raw.get(category.value), frozenset()) for category in Category
    }


def _by_category(
    path: Path, key: str, raw: object, allowed: frozenset[str], categories: tuple[Category, ...]
) -> tuple[str, dict[Category, str]]:
    """`default` and exactly the categories the code words apart: a misspelt or extra one would never be read."""
    expected = {DEFAULT, *(category.value for category in categories)}
    if not isinstance(raw, dict):
        raise CrisisDataError(
            f"Crisis data file {path}: text '{key}' is missing or not a mapping of {', '.join(sorted(expected))}"
        )
    unknown = {str(name) for name in raw} - expected
    if unknown:
        raise CrisisDataError(f"Crisis data file {path}: text '{key}' has unknown key(s) {', '.join(sorted(unknown))}")
    default = _text(path, f"{key}.{DEFAULT}", raw.get(DEFAULT), allowed)
    own = {
        category: _text(path, f"{key}.{category.value}", raw.get(category.value), allowed) for category in categories
    }
    return default, own


def _text(path: Path, key: str, value: object, allowed: frozenset[str]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CrisisDataError(f"Crisis data file {path}: text '{key}' is missing or empty")
    used = placeholders(value)
    if not used <= allowed:
        raise CrisisDataError(
            f"Crisis data file {path}: text '{key}' uses unknown placeholder(s) {', '.join(sorted(used - allowed))}"
        )
    return value.strip()
