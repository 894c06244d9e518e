"""One message on its own: the rules first, then the learned screen.

The screen raises what the rules decided: a crisis no rule names becomes urgent (with the kind of crisis its
heads see), and a rule's urgent becomes imminent when the screen sees it happening now. It lowers only one
thing, and only to a question: a rule's `urgent` that the screen all but rules out (role-play, fiction, a bare
factual question) becomes `concern`, and Hearth asks directly, with the crisis lines, instead of answering as
a crisis. A rule's `imminent` (which alerts the moderators) is lowered so only below a far lower score, which
almost no imminent crisis the rules catch reaches ("I overdosed on coffee today, my heart is doing a drum
solo" does). A means question asked with distress is never lowered. Nor is a bare means question raised for
its own words ("bridge", "river", "pills"): only for what the rest of the message says, and made imminent only
where that says it is happening now (the rules read the question: concern alone, urgent after distress). The
other way round, where the rules lowered a match to concern as hyperbole over a small annoyance or as someone
else's words, the screen cannot overturn that reading either: it too becomes a direct question.

Both the bot (`bot/crisis/service.py`, which then weighs the conversation) and `python -m bot.crisis` judge a
message here, so the command line screens exactly as the bot does before context.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.crisis.classifier import NOT_SEEN, Classifier, LearnedVerdict, features
from bot.crisis.detector import Detection, Detector
from bot.models import Category, Level

# What the rest of a message besides a method question must score for the screen to raise the question: the bar
# at which an earlier message makes a later method question urgent (`bot/crisis/service.py`, CONTEXT_MEANS), just
# above the 0.32 a message with no telling word scores.
BESIDES_THE_QUESTION = 0.35


@dataclass(frozen=True, slots=True)
class Verdict:
    detection: Detection
    learned_verdict: LearnedVerdict = NOT_SEEN  # only what changes the rules' level
    probability: float = 0.0  # the learned screen's crisis probability; 0.0 where it did not look
    # Where the rules name only a command hallucination, what the screen's heads see it asks for (the person's
    # death, self-harm, hurting someone): the rules say that voices command, not always what or whom.
    told: frozenset[Category] = frozenset()

    @property
    def doubted(self) -> bool:
        """The screen lowered the rules' urgent to a direct question (the only way it ever lowers)."""
        return self.learned is not Level.NONE and self.learned.rank < self.detection.level.rank

    @property
    def contested(self) -> bool:
        """The rules read the message lightly (hyperbole, someone else's words) where the screen saw a crisis: the
        screen's verdict was held to a direct question."""
        return self.detection.read_lightly and self.learned is Level.CONCERN

    @property
    def learned(self) -> Level:
        """What the learned screen decided where it changed the rules' level: CONCERN (ask directly), URGENT or
        IMMINENT; NONE where it left the rules' level alone."""
        return self.learned_verdict.level

    @property
    def level(self) -> Level:
        if self.doubted:
            return self.learned
        return Level.highest(self.detection.level, self.learned)

    @property
    def categories(self) -> frozenset[Category]:
        if self.learned is Level.NONE:
            return self.detection.categories | self.told
        # What the rules named stays; the screen's heads add what kind of crisis they saw.
        return self.detection.categories | self.learned_verdict.categories | self.told or frozenset({Category.SUICIDE})


@dataclass(frozen=True)
class Judge:
    detector: Detector
    classifier: Classifier | None = None

    def __call__(self, text: str) -> Verdict:
        return self.normalised(self.detector.normalise(text), command=text.startswith("/"))

    def normalised(self, normalised: str, *, command: bool = False) -> Verdict:
        detection = self.detector.detect_normalised(normalised)
        classifier = self.classifier
        if classifier is None or command:
            return Verdict(detection)
        found = features(normalised)
        probability = classifier.crisis.probability(found)
        told = _told(detection, classifier, found)
        if detection.level is Level.IMMINENT:
            # Lowered only where the screen all but rules it out, and never a means question: Hearth asks.
            if probability < classifier.imminent_doubt_threshold and not detection.method_question:
                return Verdict(detection, LearnedVerdict(Level.CONCERN, detection.categories), probability, told)
            return Verdict(detection, probability=probability, told=told)
        if detection.level is Level.URGENT:
            # A means question asked with distress stays urgent whatever the screen thinks (SAFETY.md).
            if probability < classifier.doubt_threshold and not detection.method_question:
                return Verdict(detection, LearnedVerdict(Level.CONCERN, detection.categories), probability, told)
            if probability >= classifier.urgent_threshold and _now(classifier, detection, found):
                return Verdict(detection, LearnedVerdict(Level.IMMINENT, detection.categories), probability, told)
            return Verdict(detection, probability=probability, told=told)
        learned = classifier.verdict_of(found, probability)
        if learned.level.at_least(Level.URGENT) and detection.only_asks:
            learned = _besides_the_question(classifier, detection, learned)
        if detection.read_lightly and learned.level.at_least(Level.URGENT):
            # The rules read it as hyperbole or as someone else's words; the screen, which does not see
            # why, thinks it a crisis. Neither wins: Hearth asks directly (earlier distress still raises it).
            return Verdict(
                detection, LearnedVerdict(Level.CONCERN, detection.categories | detection.read_as), probability
            )
        if learned.level.rank > detection.level.rank:
            return Verdict(detection, learned, probability)
        return Verdict(detection, probability=probability)

    def kinds(self, normalised: str) -> frozenset[Category]:
        """What kind of crisis the learned screen's heads see in a message (suicide when it has none)."""
        if self.classifier is None:
            return frozenset({Category.SUICIDE})
        return self.classifier.kinds(features(normalised))


def _besides_the_question(classifier: Classifier, detection: Detection, learned: LearnedVerdict) -> LearnedVerdict:
    """A method question and nothing else, to the rules, is theirs to read: concern, a direct question that declines
    it (SAFETY.md), urgent after distress in the conversation. The screen weighs the question's own words
    ("bridge", "river", "drop", "pills") as a crisis, and made "how deep is the river under the bridge" imminent,
    which alerts the moderators. It may raise the question only for what the rest of the message says, as an
    earlier message would (`BESIDES_THE_QUESTION`): distress told beside it ("got dumped today. whats the tallest
    parking garage downtown"); and imminent only where the rest says it is now ("i'm parked at the lookout")."""
    rest = features(detection.around_method())
    # Asked for an everyday reason (the rules excused it: a trip, a class), only a crisis said besides it counts.
    bar = BESIDES_THE_QUESTION if detection.method_question else classifier.urgent_threshold
    if classifier.crisis.probability(rest) < bar:
        return NOT_SEEN
    if learned.level is Level.IMMINENT and classifier.imminence(rest) is not Level.IMMINENT:
        return LearnedVerdict(Level.URGENT, learned.categories)
    return learned


def _now(classifier: Classifier, detection: Detection, found: list[str]) -> bool:
    """Whether the screen sees the message happening now; for a method question that is urgent for the distress
    beside it, in what is said besides the question: "everything is falling apart. how deep is the river under
    the bridge" asks, it does not say they are there."""
    if classifier.imminence(found) is not Level.IMMINENT:
        return False
    return not detection.asked_beside or classifier.imminence(features(detection.around_method())) is Level.IMMINENT


def _told(detection: Detection, classifier: Classifier, found: list[str]) -> frozenset[Category]:
    """What a command hallucination the rules caught, and named nothing else in, asks for, as the heads see it
    ("die Stimmen sagen mir, ich soll meinem Bruder wehtun": harm to others); nothing for any other message."""
    if detection.categories != frozenset({Category.PSYCHOSIS}) or not detection.level.at_least(Level.URGENT):
        return frozenset()
    return classifier.kinds(found) - {Category.PSYCHOSIS}
