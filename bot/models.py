"""The neutral vocabulary shared by the core and every adapter.

Adapters translate platform events into an `IncomingMessage` and render a `Reply`; nothing else crosses the
edge. Everything here is frozen so a stage can never change what another stage already saw.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum, StrEnum


class Level(StrEnum):
    """How much a message asks of the crisis path (see shared/SAFETY.md)."""

    NONE = "none"
    CONCERN = "concern"
    URGENT = "urgent"
    IMMINENT = "imminent"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]

    def at_least(self, other: Level) -> bool:
        return self.rank >= other.rank

    @staticmethod
    def highest(*levels: Level) -> Level:
        return max(levels, key=lambda level: level.rank, default=Level.NONE)


_LEVEL_RANK = {Level.NONE: 0, Level.CONCERN: 1, Level.URGENT: 2, Level.IMMINENT: 3}


class Category(StrEnum):
    SUICIDE = "suicide"
    SELF_HARM = "self_harm"
    ABUSE = "abuse"
    HARM_TO_OTHERS = "harm_to_others"
    PSYCHOSIS = "psychosis"
    MEDICAL = "medical"


class Platform(StrEnum):
    CONSOLE = "console"
    DISCORD = "discord"
    SLACK = "slack"


class ActionStyle(Enum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Action:
    """A button the adapter may render. `id` is stable: adapters put it in custom ids that survive restarts."""

    id: str
    label: str
    style: ActionStyle = ActionStyle.SECONDARY


# The action ids the core understands. Adapters send them back as `IncomingMessage.action`.
ACTION_HANDOFF = "handoff"
ACTION_HANDOFF_SHARE = "handoff_share"
ACTION_RESOURCES = "resources"
ACTION_STOP_EXERCISE = "stop_exercise"
ACTION_CONSENT = "consent"


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """One user message (or button press) after translation at the edge.

    `tenant`, `conversation` and `user` are already pseudonyms (HMAC of the platform ids, see `bot.ids`);
    raw platform ids never enter the core. `link` is a platform URL to the conversation, given to moderators
    instead of the text. `edited`: the person changed a message they had sent (the new words are `text`); only
    the crisis path answers it (bot/edits.py).
    """

    platform: Platform
    tenant: str
    conversation: str
    user: str
    text: str
    is_private: bool = True
    locale: str | None = None
    country: str | None = None
    event_id: str | None = None
    action: str | None = None
    link: str | None = None
    channel: str | None = None
    edited: bool = False


@dataclass(frozen=True, slots=True)
class ModeratorAlert:
    """What moderators are sent. It carries a link and a level, never the user's words unless they agreed.

    `undelivered` is what the person must be told when the adapter could not deliver the alert (the bot is not
    in the moderators' channel, a missing permission, the platform down): the reply they already read says the
    moderators were told, so they must not go on waiting for someone who is not coming. The adapter then calls
    `failed()`, so that a later "Talk to a person" tries again rather than say the moderators were told.
    """

    tenant: str
    level: Level
    link: str | None
    summary: str | None = None
    undelivered: str = ""
    on_failure: Callable[[], Awaitable[None]] | None = field(default=None, compare=False, repr=False)

    async def failed(self) -> None:
        """The adapter could not deliver this alert (it never raises)."""
        if self.on_failure is not None:
            await self.on_failure()


@dataclass(frozen=True, slots=True)
class Reply:
    """What the core answers. `private` asks the adapter to move the reply out of a public channel
    (DM or ephemeral) and leave at most `public_notice` behind.

    Two kinds carry empty text and must be dropped by adapters, sending nothing (README, "Limits"):
    - `kind="duplicate"`: the platform delivered this event (`IncomingMessage.event_id`) before and it
      was answered then (a Slack retry, a gateway replay).
    - `kind="folded"`: the message arrived while an earlier one in the same conversation was being answered,
      and the next reply already answered it together with the others.
    - `kind="edited"`: an edited message that is no crisis; the message it changed was answered already.
    Every other kind has text to show, including `limited` (a rate limit or budget; `extra` holds `limit`
    and `retry_after` in seconds), `busy` and `llm_down`.

    `language` is the language the core wrote `text` in, where it chose one (the crisis path: "es", "pl", ...;
    None elsewhere, which is English): an adapter adding words of its own around the reply uses it.
    """

    text: str
    actions: tuple[Action, ...] = ()
    private: bool = False
    level: Level = Level.NONE
    kind: str = "text"
    public_notice: str | None = None
    alert: ModeratorAlert | None = None
    streamed: bool = False
    extra: tuple[tuple[str, str], ...] = field(default=())
    language: str | None = None


PartialSink = Callable[[str], Awaitable[None]]
"""Receives the reply text accumulated so far while an LLM reply streams (already screened and throttled)."""


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the crisis detector concluded about one message, in the light of the conversation so far."""

    level: Level = Level.NONE
    categories: frozenset[Category] = frozenset()
    method_question: bool = False
    distress: bool = False
    # The learned screen (bot/crisis/classifier.py) raised the level above what the rules decided.
    learned: bool = False
    # The learned screen's crisis probability for this message (0.0 where it did not look).
    probability: float = 0.0
    # The message answers no to Hearth's direct question ("are you thinking about suicide?").
    declined: bool = False
    # The message answers yes to that question: distress for later turns, however little its words weigh.
    affirmed: bool = False
    # Sent right after a crisis reply, the message says the reply misread it ("lol no, I meant the game").
    corrected: bool = False

    @staticmethod
    def none() -> Assessment:
        return Assessment()
