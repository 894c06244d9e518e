"""The crisis package's face to the rest of the core: assess a message, and answer a crisis without an LLM.

Detection is pure and needs nothing that can fail; the conversation's earlier distress (read from the session,
when Redis answered) can only raise a level, never lower it. Every reply here is deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.crisis.classifier import Classifier, load_classifier
from bot.crisis.detector import Detection, Detector
from bot.crisis.judge import Judge, Verdict
from bot.crisis.language import DEFAULT_LANGUAGE, LanguageModel
from bot.crisis.lexicon import load_lexicon
from bot.crisis.moderation import Moderation, build_moderation
from bot.crisis.replies import Phrasebook, Texts, load_phrasebook
from bot.crisis.resources import CountryLines, Directory, load_directory
from bot.crisis.screen import OutputScreen, load_screen
from bot.models import (
    ACTION_HANDOFF,
    ACTION_HANDOFF_SHARE,
    ACTION_RESOURCES,
    Action,
    ActionStyle,
    Assessment,
    Category,
    Level,
    ModeratorAlert,
    Reply,
)
from bot.pipeline import Turn

_RECENT_TURNS = 6
# The conversation (SAFETY.md: an earlier turn of distress raises a later, ambiguous one), as the learned screen
# sees it: once a message of a conversation scored at least CONTEXT_DISTRESS, a later one scoring at least
# CONTEXT_RAISE is a crisis, though alone it would not be (urgent is 0.60). The conversation note keeps the
# highest score, never the text. Chosen on the development conversations (scripts/eval_conversations.py).
# Both bars must stay above what a message with no word the screen weighs scores (0.32): below it, "hi" would
# count as distress. At 0.3 the development conversations gained two crisis conversations, but "hi" then
# "I can't go on" got the crisis reply rather than a direct question.
CONTEXT_DISTRESS = 0.35
CONTEXT_RAISE = 0.45
# A means question (a rule's; SAFETY.md: "above all after distress") after an earlier score of CONTEXT_MEANS is
# urgent: just above the 0.32 of a message with no telling words, so ordinary chat leaves no note (1.4 % of the
# everyday training messages reach it).
CONTEXT_MEANS = 0.35
# A short answer to "are you thinking about suicide?" that means yes (also in Spanish and Italian "sì", French,
# German and Dutch "ja", Portuguese, Polish "tak"), as the normaliser leaves it.
_YES = re.compile(
    r"^(?:yes|yeah|yea|yep|ya|yh|y|si|oui|ja|sim|tak|kind of|kinda|sort of|maybe|i think so|sometimes|a bit|a little"
    r"|i guess|honestly yes|i am|im thinking about it|all the time|every day|always|constantly)\b"
)
# ...and one that means no: the person's answer then decides, not the conversation's earlier scores. Dutch "nee"
# reaches it as "ne" (doubled letters collapsed). Only a bare "nee" or Polish "nie" (or "nie, nie myślę"): French
# "ne m'abandonne pas" and Polish "nie daję rady" (I can't cope) begin with the same words and are not a no.
_NO = re.compile(
    r"^(?:no|nope|nah|not really|not at all|of course not|god no|never|im not|i am not|im fine|im ok|im okay"
    r"|not like that|non|nein|nao|(?:ne|nie)(?=$| niet| hor| nie| mysle))\b"
)
MEDICAL_CHECK_IN = "check_in_medical"
# In the crisis note after Hearth asked its direct safety question (True) or sent a crisis reply (AFTER_REPLY):
# the next message is the answer to it (bot/crisis/stage.py keeps it for one message).
ANSWER_DUE = "answer_due"
AFTER_REPLY = "crisis_reply"
# What someone says right after a crisis reply that misread them ("lol no i was joking", "era broma") is data:
# `corrections` in prompts/crisis/replies/<language>.yaml (bot/crisis/corrections.py). Hearth thanks them and
# stays watchful: the conversation keeps its crisis mode, since "i'm fine" can also be said to end it.


@dataclass(frozen=True)
class Crisis:
    detector: Detector
    directory: Directory
    phrasebook: Phrasebook
    screen: OutputScreen
    default_country: str | None
    moderation: Moderation | None = field(default=None)
    classifier: Classifier | None = field(default=None)

    @property
    def judge(self) -> Judge:
        return Judge(self.detector, self.classifier)

    def detect(self, text: str) -> Detection:
        """The rules alone, on the message alone."""
        return self.detector.detect(text)

    def assess(self, text: str, turn: Turn) -> Assessment:
        """The message in the light of the conversation: earlier distress raises an ambiguous message."""
        normalised = self.detector.normalise(text)
        verdict = self.judge.normalised(normalised, command=text.startswith("/"))
        # Only the message right after Hearth's direct question answers it: a later "yes" may answer the LLM's
        # own question, and a "no" after a crisis reply answers nothing Hearth asked.
        due = expected_answer(turn)
        asked, after_reply = due is True, due == AFTER_REPLY
        # Only a message answering Hearth's question or its crisis reply can be a "no" or a correction; the
        # phrases that deny one are read only then, not on every message.
        answering = (asked or after_reply) and self._not_denied(normalised, verdict)
        declined = asked and answering and _NO.match(normalised) is not None
        # The crisis reply asks nothing, so a "no" after it ("no, I can't call them", "nope") answers the lines, not
        # whether Hearth misread them: only words that say so are a correction ("lol no i was joking", "im fine").
        corrected = after_reply and answering and self.phrasebook.corrections.claimed(normalised)
        weighed = self._weigh(normalised, verdict, turn, corrected=corrected)
        return replace(weighed, probability=verdict.probability, declined=declined, corrected=corrected)

    def _not_denied(self, normalised: str, verdict: Verdict) -> bool:
        """A "no", or "I was joking", right after Hearth asked or answered, is taken as one only when nothing in
        the message says they meant it or are not okay ("no era broma", "no im not ok", "no puedo más"): what
        follows a misread "no" thanks them for putting Hearth right."""
        return not self.phrasebook.corrections.denied(normalised) and verdict.detection.level is Level.NONE

    def _weigh(self, normalised: str, verdict: Verdict, turn: Turn, *, corrected: bool = False) -> Assessment:
        detection = verdict.detection
        level = detection.level
        note = turn.session.crisis
        if expected_answer(turn) is True and not level.at_least(Level.URGENT) and _YES.match(normalised):
            if note.get("asked_about") == MEDICAL_CHECK_IN:
                return Assessment(Level.IMMINENT, frozenset({Category.MEDICAL}), distress=True, affirmed=True)
            return Assessment(Level.URGENT, frozenset({Category.SUICIDE}), distress=True, affirmed=True)
        if verdict.doubted and not self._earlier_distress(turn):
            # The rules said urgent, the learned screen all but ruled it out (role-play, a bare question): ask.
            return Assessment(Level.CONCERN, detection.categories, detection.method_question, True, learned=True)
        if verdict.contested:
            # Read as hyperbole or someone else's words, but the screen saw a crisis: after distress the light
            # reading does not hold; otherwise ask directly.
            contested = Level.URGENT if self._earlier_distress(turn) else Level.CONCERN
            return Assessment(contested, verdict.categories, detection.method_question, True, learned=True)
        if detection.raised_by_context().rank > level.rank and (
            self._earlier_distress(turn) or (detection.method_question and _peak(note) >= CONTEXT_MEANS)
        ):
            level = detection.raised_by_context()
        if (
            not corrected  # "no, I'm fine": their word about this message decides, not the earlier scores
            and not Level.highest(level, verdict.learned).at_least(Level.URGENT)
            and self._raised_by_earlier_score(note, verdict.probability)
        ):
            kinds = detection.categories | self.judge.kinds(normalised)
            return Assessment(Level.URGENT, kinds, detection.method_question, True, learned=True)
        if verdict.learned.rank > level.rank:
            return Assessment(verdict.learned, verdict.categories, detection.method_question, True, learned=True)
        return Assessment(level, detection.categories, detection.method_question, detection.distress)

    @staticmethod
    def _raised_by_earlier_score(note: dict[str, Any], score: float) -> bool:
        if note.get("declined"):
            return False  # asked directly, the person said no: their answer decides, not a lower bar
        return score >= CONTEXT_RAISE and _peak(note) >= CONTEXT_DISTRESS

    @staticmethod
    def _distressed(assessment: Assessment) -> bool:
        return assessment.distress or assessment.probability >= CONTEXT_DISTRESS

    def worth_noting(self, turn: Turn) -> bool:
        """Whether this message should leave a note for later ones: distress, a score that raises a later means
        question, or a "no" to Hearth's direct question."""
        assessment = turn.assessment
        return assessment.distress or assessment.probability >= CONTEXT_MEANS or assessment.declined

    def _earlier_distress(self, turn: Turn) -> bool:
        if turn.session.crisis.get("mode") in ("crisis", "watch"):
            return True
        recent = [past.text for past in turn.session.turns if past.role == "user"][-_RECENT_TURNS:]
        return any(self.detector.detect(text).distress for text in recent)

    async def second_opinion(self, text: str, assessment: Assessment) -> Assessment:
        """The moderation endpoint, when configured, may raise the level; its failure changes nothing."""
        if self.moderation is None or assessment.level.at_least(Level.URGENT):
            return assessment
        flagged = await self.moderation.flags_self_harm(text)
        if not flagged:
            return assessment
        return Assessment(Level.URGENT, assessment.categories | {Category.SUICIDE}, assessment.method_question, True)

    def note(self, turn: Turn, *, asked: bool = False) -> dict[str, Any]:
        """What the crisis stage keeps for this conversation (no text): levels and categories only."""
        assessment = turn.assessment
        previous = turn.session.crisis
        if assessment.level.at_least(Level.URGENT) or previous.get("mode") == "crisis":
            mode = "crisis"
        elif previous.get("mode") == "watch" or asked or self._distressed(assessment):
            mode = "watch"  # distress was seen: a later ambiguous message is raised
        else:
            mode = "quiet"  # only a score that makes a later means question urgent
        categories = sorted({*(c.value for c in assessment.categories), *previous.get("categories", [])})
        # A yes to the direct question scores like "hi" on its own words, yet it is the clearest distress there is:
        # it counts as the earlier score that makes a later, ambiguous message a crisis (`_raised_by_earlier_score`).
        peak = max(assessment.probability, _peak(previous), CONTEXT_DISTRESS if assessment.affirmed else 0.0)
        return {
            "mode": mode,
            "peak": round(peak, 3),
            "level": assessment.level.value,
            "categories": categories,
            "asked": asked or bool(previous.get("asked")),
            # Which question: a yes to "did you take more than your usual dose?" is an overdose, not suicide.
            "asked_about": _check_in_key(assessment) if asked else previous.get("asked_about"),
            "imminent": self.in_danger(turn),
            "declined": bool(previous.get("declined")) or assessment.declined,
            "language": self.language(turn),
        }

    def country_for(self, turn: Turn, chosen: str | None) -> str | None:
        """Whose crisis lines: the person's own choice, else the platform's, the community's, the default."""
        return chosen or turn.msg.country or turn.session.community.country or self.default_country

    def language(self, turn: Turn) -> str:
        """The language to answer in, chosen here for the whole bot: the message's own when its words say; else
        the conversation's (`conversation_language`); else the platform's word for the person's language
        (`IncomingMessage.locale`, e.g. Discord's "pl" or "pt-BR"), where Hearth has texts in it; else English."""
        # The conversation's language is read only when the message's own words do not say.
        own = self.own_language(turn.text)
        return own or self.conversation_language(turn) or self.phrasebook.of_locale(turn.msg.locale) or DEFAULT_LANGUAGE

    def own_language(self, text: str) -> str | None:
        """The language a message's own words clearly say, if they do. A slash command's name is not the person's
        language, nor is a code ("/resources el"); free text after it is ("/checkin ya no puedo más")."""
        if text.startswith("/"):
            return self.phrasebook.language_of(text.partition(" ")[2], short=False)
        return self.phrasebook.language_of(text)

    def conversation_language(self, turn: Turn) -> str | None:
        """The language this conversation has been in, for a message that does not say (a bare /help, a button, a
        short "sí"). While a crisis or the distress before one is followed, the crisis note's language (kept at
        each such message, so the lines and the follow-ups stay in the crisis's language); else the one the
        person's own words last said here (`Session.language`, kept with the context's TTL, also where no turn is
        kept: no LLM, a command, an exercise); else the newest of the person's recent turns whose words say; else
        a quieter note's."""
        note = turn.session.crisis
        kept = note.get("language")
        kept = kept if isinstance(kept, str) and kept in self.phrasebook.by_language else None
        if kept is not None and note.get("mode") in ("crisis", "watch"):
            return kept
        if turn.session.language in self.phrasebook.by_language:
            return turn.session.language
        for past in reversed(turn.session.turns[-_RECENT_TURNS * 2 :]):
            said = self.phrasebook.language_of(past.text) if past.role == "user" else None
            if said is not None:
                return said
        return kept

    def texts_for(self, turn: Turn) -> Texts:
        """The crisis texts, and the words around them, in the language `language` chooses for this turn."""
        return self.phrasebook(self.language(turn))

    def resources_reply(
        self,
        country: str | None,
        language: str | None = None,
        *,
        in_danger: bool = False,
        categories: list[Category] | None = None,
    ) -> Reply:
        """The crisis lines; for someone this conversation showed in immediate danger, the emergency number
        comes first (SAFETY.md rule 3), worded as in their crisis reply for what `categories` it was about."""
        texts = self.phrasebook(language)
        lines = self._lines_of(texts, country)
        listed = f"{texts.say('resources_intro')}\n{texts.render(lines)}"
        if country is None:  # nobody said where they are: the directory's lines, and how to get their own
            listed = f"{listed}\n\n{texts.say('country_ask')}"
        if in_danger:
            first = texts.say_for("imminent_first", categories or [], emergency=lines.emergency)
            text = f"{first}\n\n{listed}"
        else:
            text = f"{listed}\n\n{_emergency(texts, lines)}"
        return Reply(text, actions=(_handoff_action(texts),), private=True, kind="resources", language=texts.language)

    def _lines_of(self, texts: Texts, country: str | None) -> CountryLines:
        """The directory's lines for `country`, as `texts`' language reads them (the fallback's words are its)."""
        return texts.where(self.directory.for_country(country))

    def lines_reply(self, turn: Turn) -> Reply:
        """The crisis lines for this turn: its country and language, and after immediate danger the emergency
        number first, worded for what the conversation's crisis was about (its note keeps the categories)."""
        return self.lines_for(turn, turn.country)

    def lines_for(self, turn: Turn, country: str | None) -> Reply:
        """`country`'s crisis lines as `lines_reply` gives this turn's (`/country GB`, `/resources GB`)."""
        kept = {Category(c) for c in turn.session.crisis.get("categories", []) if c in Category._value2member_map_}
        categories = _ordered(frozenset(kept | turn.assessment.categories))
        return self.resources_reply(country, self.language(turn), in_danger=self.in_danger(turn), categories=categories)

    def lines_first(self, turn: Turn, text: str) -> str:
        """In crisis mode, an answer Hearth gives instead of a conversation (no LLM, the LLM failing or busy, a rate
        limit, the consent question) still starts with the crisis lines (the emergency number first after immediate
        danger): someone who just said they want to die and then "ok" must not be left with only an advert for
        /breathe, or "I need to pause our conversation"."""
        if not self.crisis_mode(turn):
            return text
        return f"{self.lines_reply(turn).text}\n\n{text}"

    def nearby_actions(self, turn: Turn, texts: Texts | None = None) -> tuple[Action, ...]:
        """The buttons of a reply that is no crisis reply but comes near one (any but plain listening): the crisis
        lines; in crisis mode, where the community set up moderators, "Talk to a person" before them (SAFETY.md:
        resources and a human stay one action away). Without moderators that button could only say there are
        none, which the crisis reply already said."""
        texts = texts or self.texts_for(turn)
        if self.crisis_mode(turn) and turn.session.community.moderator_channel:
            return (_handoff_action(texts), _resources_action(texts))
        return (_resources_action(texts),)

    @staticmethod
    def crisis_mode(turn: Turn) -> bool:
        """Whether this conversation is in crisis mode (an urgent message within `CRISIS_MODE_TTL`)."""
        return turn.session.crisis.get("mode") == "crisis"

    @staticmethod
    def in_danger(turn: Turn) -> bool:
        """Whether this conversation, in its crisis mode, was judged imminent (kept as a flag, never text)."""
        return bool(turn.session.crisis.get("imminent")) or turn.assessment.level is Level.IMMINENT

    def crisis_reply(self, turn: Turn) -> Reply:
        assessment = turn.assessment
        level = assessment.level if assessment.level.at_least(Level.URGENT) else Level.URGENT
        texts = self.phrasebook(self.language(turn))
        lines = self._lines_of(texts, turn.country)
        moderators = turn.session.community.moderator_channel
        alert = (
            ModeratorAlert(turn.msg.tenant, level, turn.msg.link, undelivered=_undelivered(texts, lines))
            if level is Level.IMMINENT and moderators
            else None
        )
        categories = _ordered(assessment.categories)
        text = texts.crisis(
            categories,
            lines,
            imminent=level is Level.IMMINENT,
            moderators=bool(moderators),
            alerted=alert is not None,
            method=assessment.method_question,
            again=self._told_before(turn, level),
            ask_country=turn.country is None,
        )
        return Reply(
            text,
            actions=(_handoff_action(texts), _resources_action(texts)),
            private=True,
            level=level,
            kind="crisis",
            public_notice=texts.say("public_notice"),
            alert=alert,
            language=texts.language,
        )

    @staticmethod
    def _told_before(turn: Turn, level: Level) -> bool:
        """Whether this conversation already had a crisis reply about all this message tells: the same kinds of
        crisis, and no danger that is new (the note keeps levels and categories, never text). Not for a message
        delivered again (a Slack retry after its reply failed): its first reply may never have reached them."""
        note = turn.session.crisis
        if note.get("mode") != "crisis" or (level is Level.IMMINENT and not note.get("imminent")):
            return False
        if turn.admission.duplicate:
            return False
        told = set(note.get("categories", []))
        return bool(told) and {category.value for category in turn.assessment.categories} <= told

    def thanks_for_answer(self, turn: Turn, texts: Texts) -> str:
        """What Hearth says to a "no" to its direct question, or to "I was joking" after a crisis reply."""
        if turn.corrected:
            return texts.say("crisis_corrected")
        if turn.session.crisis.get("asked_about") == MEDICAL_CHECK_IN:
            return texts.say("safety_no_medical", emergency=self._lines_of(texts, turn.country).emergency)
        return texts.say("safety_no")

    def check_in_reply(self, turn: Turn) -> Reply:
        """For an ambiguous message or a method question: ask directly and gently (SAFETY.md rule 7); after "I
        took my pills" and nothing more, how many and how they feel."""
        key = _check_in_key(turn.assessment)
        texts = self.phrasebook(self.language(turn))
        lines = self._lines_of(texts, turn.country)
        text = f"{texts.say(key, emergency=lines.emergency)}\n\n{texts.lines(lines)}"
        if turn.country is None:  # the directory's lines: how to get their own
            text = f"{text}\n\n{texts.say('country_ask')}"
        if key != MEDICAL_CHECK_IN:  # that question names the emergency number itself
            # A question can follow a misreading either way: the emergency number is there too, last and quiet.
            categories = _ordered(turn.assessment.categories)
            text = f"{text}\n\n{texts.say_for('imminent_first', categories, emergency=lines.emergency)}"
        return Reply(
            text,
            actions=(_handoff_action(texts), _resources_action(texts)),
            private=True,
            level=Level.CONCERN,
            kind="check_in",
            public_notice=texts.say("public_notice"),
            language=texts.language,
        )

    def handoff_reply(self, turn: Turn, *, share: bool, told: tuple[int, bool] | None = None) -> Reply:
        """ "Talk to a person" (`share`: "Share a summary"), with the alert it asks for. `told`: the moderators were
        already told in this crisis (bot/alerted.py), that many seconds ago, and whether with the summary; the
        person hears so and when, with the lines, and no alert goes."""
        texts = self.phrasebook(self.language(turn))
        lines = self._lines_of(texts, turn.country)
        note = turn.session.crisis
        level = Level(note["level"]) if note.get("level") in Level._value2member_map_ else Level.CONCERN
        if not turn.session.community.moderator_channel:
            # Unread (Redis down), the community's settings say nothing about whether moderators set Hearth up.
            none = "handoff_none" if turn.session.available else "handoff_unreachable"
            text = f"{texts.say(none)}\n{texts.render(lines)}\n\n{_emergency(texts, lines)}"
            return Reply(
                text,
                actions=(_resources_action(texts),),
                private=True,
                level=level,
                kind="handoff",
                language=texts.language,
            )
        categories = _ordered(
            frozenset(Category(c) for c in note.get("categories", []) if c in Category._value2member_map_)
        )
        summary = texts.summary(categories) if share else None
        alert: ModeratorAlert | None = None
        if told is not None:
            ago, shared = told
            when = _told_ago(texts, ago)
            parts = [texts.say("handoff_already_shared" if shared else "handoff_already", when=when)]
            offer = not shared
        else:
            parts = [texts.say("handoff_shared", summary=summary) if summary else texts.say("handoff_sent")]
            alert = ModeratorAlert(turn.msg.tenant, level, turn.msg.link, summary, _undelivered(texts, lines))
            offer = not share
        actions: tuple[Action, ...] = (_resources_action(texts),)
        if offer:
            parts.append(texts.say("handoff_share_offer"))
            actions = (Action(ACTION_HANDOFF_SHARE, texts.label("share_summary")), *actions)
        parts.append(texts.render(lines))
        text = "\n\n".join(parts)
        return Reply(
            text, actions=actions, private=True, level=level, kind="handoff", alert=alert, language=texts.language
        )

    def screen_output(self, text: str) -> bool:
        """True when an LLM reply is safe to send (no method or means, no diagnosis, no dosing)."""
        return self.screen.allows(text)

    def should_check_in(self, turn: Turn) -> bool:
        """A concern-level message Hearth answers itself: a method question, or ambiguous words not yet asked about."""
        assessment = turn.assessment
        if assessment.level is not Level.CONCERN or assessment.corrected:
            return False
        if assessment.method_question:
            return True
        if assessment.learned:
            return not turn.session.crisis.get("asked")
        ambiguous = assessment.distress and bool(assessment.categories & {Category.SUICIDE, Category.SELF_HARM})
        return ambiguous and self._escalable(turn) and not turn.session.crisis.get("asked")

    def _escalable(self, turn: Turn) -> bool:
        detection = self.detector.detect(turn.text)
        return any(hit.context_level is not None and hit.context_level.at_least(Level.URGENT) for hit in detection.hits)

    async def aclose(self) -> None:
        if self.moderation is not None:
            await self.moderation.aclose()


def _handoff_action(texts: Texts) -> Action:
    return Action(ACTION_HANDOFF, texts.label("talk_to_person"), ActionStyle.PRIMARY)


def _resources_action(texts: Texts) -> Action:
    return Action(ACTION_RESOURCES, texts.label("show_lines"))


def _emergency(texts: Texts, lines: CountryLines) -> str:
    return texts.say("imminent_first", emergency=lines.emergency)


def _told_ago(texts: Texts, seconds: int) -> str:
    """How long ago moderators were told, as people say it: "just now", "about 5 min ago", "about 2 h ago"."""
    if seconds < 60:
        return texts.say("told_just_now")
    if seconds < 90 * 60:
        return texts.say("told_minutes_ago", n=str(round(seconds / 60)))
    return texts.say("told_hours_ago", n=str(round(seconds / 3600)))


def _undelivered(texts: Texts, lines: CountryLines) -> str:
    return texts.say("alert_undelivered", emergency=lines.emergency)


def _ordered(categories: frozenset[Category]) -> list[Category]:
    # The most pressing category leads the reply: a medical emergency before anything else.
    priority = (
        Category.MEDICAL,
        Category.ABUSE,
        Category.PSYCHOSIS,
        Category.HARM_TO_OTHERS,
        Category.SELF_HARM,
        Category.SUICIDE,
    )
    return [category for category in priority if category in categories]


def crisis_folder(settings: Settings) -> Path:
    return settings.prompts_dir / "crisis"


def build_crisis(
    settings: Settings, languages: LanguageModel | None = None, screen: OutputScreen | None = None
) -> Crisis:
    """Load and check every crisis data file; a bad one is a start-up error (`CrisisDataError`). `languages`, the
    model that reads a message's language, and `screen`, the output screen read from `screen.yaml`, are loaded
    here unless given (tests build many apps from the same files and share them)."""
    folder = crisis_folder(settings)
    return Crisis(
        detector=Detector(load_lexicon(folder)),
        directory=load_directory(folder / "resources.yaml"),
        phrasebook=load_phrasebook(folder / "replies", languages),
        screen=screen or load_screen(folder / "screen.yaml"),
        default_country=settings.crisis.default_country,
        moderation=build_moderation(settings),
        classifier=load_classifier(folder / "classifier.json") if settings.crisis.crisis_classifier else None,
    )


def expected_answer(turn: Turn) -> object:
    """What this message answers, per the crisis note (`ANSWER_DUE`): True for Hearth's direct question,
    `AFTER_REPLY` for its crisis reply, None for nothing. An edit of an earlier message answers nothing."""
    return None if turn.msg.edited else turn.session.crisis.get(ANSWER_DUE)


def _peak(note: dict[str, Any]) -> float:
    peak = note.get("peak")
    return float(peak) if isinstance(peak, int | float) else 0.0


def _check_in_key(assessment: Assessment) -> str:
    """Which direct question: a means question is declined; a medication taken, with no other kind of crisis
    in sight, is asked about by how much; everything else by the direct question about suicide."""
    if assessment.method_question:
        return "method_declined"
    if assessment.categories == frozenset({Category.MEDICAL}):
        return MEDICAL_CHECK_IN
    return "check_in"
