"""One message on its own: the rules first, then the learned screen, which can only raise their level.

Both the bot (`bot/crisis/service.py`, which then weighs the conversation) and `python -m bot.crisis` judge a
message here, so the command line screens exactly as the bot does before context.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.crisis.classifier import Classifier
from bot.crisis.detector import Detection, Detector
from bot.models import Category, Level


@dataclass(frozen=True, slots=True)
class Verdict:
    detection: Detection
    learned: Level  # what the learned screen added: NONE, CONCERN (ask directly) or URGENT

    @property
    def level(self) -> Level:
        return Level.highest(self.detection.level, self.learned)

    @property
    def categories(self) -> frozenset[Category]:
        if self.learned is Level.NONE or self.detection.categories:
            return self.detection.categories
        return frozenset({Category.SUICIDE})  # the screen does not tell categories apart; the reply is generic


@dataclass(frozen=True)
class Judge:
    detector: Detector
    classifier: Classifier | None = None

    def __call__(self, text: str) -> Verdict:
        return self.normalised(self.detector.normalise(text), command=text.startswith("/"))

    def normalised(self, normalised: str, *, command: bool = False) -> Verdict:
        detection = self.detector.detect_normalised(normalised)
        if self.classifier is None or command or detection.level.at_least(Level.URGENT):
            return Verdict(detection, Level.NONE)
        learned = self.classifier.level(normalised)
        return Verdict(detection, learned if learned.rank > detection.level.rank else Level.NONE)
