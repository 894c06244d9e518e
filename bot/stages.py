"""The order of the pipeline's stages, in one place, because the order is the safety argument.

validate → load session → crisis → edits → dedupe → length → tools → commands → consent → limits → one at a
time → reply. The crisis stage stands before everything that can be limited or can call an LLM; loading the session
(tolerant of Redis being down) stands before it so earlier distress in the conversation can raise a later
ambiguous message. The duplicate check, the rate-limit decision and the conversation lock are read on the
session's round trip but only acted on after the crisis stage: a crisis message is never limited, never waits
for another reply, and a redelivered one is answered again rather than risk no answer at all.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.alerted import AlertMarks
from bot.commands import CommandStage
from bot.concurrency import ConcurrencyGate
from bot.config import Settings
from bot.consent import ConsentStage
from bot.context import ContextStore
from bot.convlock import ConversationLock
from bot.countries import Countries
from bot.crisis import Crisis
from bot.crisis.stage import CrisisStage
from bot.dedupe import Dedupe, DedupeStage
from bot.edits import EditStage
from bot.fold import FoldStage
from bot.gatekeeper import Gatekeeper
from bot.introduction import Introduction
from bot.limit_stage import LimitStage
from bot.limits import Limiter
from bot.llm import ReplyService
from bot.models import Reply
from bot.pipeline import Stage, Turn
from bot.prompts import Prompts
from bot.reply import ReplyStage
from bot.session import LoadSessionStage
from bot.tools.content import ToolBook, load_tools
from bot.tools.stage import ToolStage
from bot.validate import LengthStage, ValidateStage


def sorry_reply(prompts: Prompts, crisis: Crisis) -> Callable[[Turn], Reply]:
    """The pipeline's reply when a stage fails, in the language `Crisis.language` chooses for the turn (it reads
    only what the turn already holds), with the crisis lines one press away (and a person, in crisis mode)."""

    def sorry(turn: Turn) -> Reply:
        language = crisis.language(turn)
        actions = crisis.nearby_actions(turn, crisis.phrasebook(language))
        return Reply(prompts(language).say("sorry"), actions=actions, language=language)

    return sorry


def build_introduction(prompts: Prompts, context: ContextStore, crisis: Crisis) -> Introduction:
    """The first-contact introduction, in the language `Crisis.language` chooses for the turn; its privacy line
    (what is kept, for how long, /mydata, /forget) is also said alone after a crisis reply introduced Hearth."""

    def privacy(turn: Turn, language: str | None = None) -> str:
        language = language or crisis.language(turn)
        context_minutes = prompts(language).duration(context.ttl)
        return crisis.phrasebook(language).say("privacy", context_minutes=context_minutes)

    def first_contact(turn: Turn) -> str:
        language = crisis.language(turn)
        return crisis.phrasebook(language).say("disclaimer", privacy=privacy(turn, language))

    return Introduction(context, first_contact, privacy)


def build_stages(
    settings: Settings,
    prompts: Prompts,
    context: ContextStore,
    crisis: Crisis,
    llm: ReplyService | None,
    countries: Countries,
    tools: ToolBook | None = None,
    introduction: Introduction | None = None,
) -> list[Stage]:
    """`tools`: the tools' texts, as the composition root loaded them (read from the prompts folder without).
    `introduction`: the composition root's, whose `after` also finishes the pipeline's replies."""
    max_chars = settings.privacy.max_message_chars
    gatekeeper = build_gatekeeper(settings, context, llm_configured=llm is not None)
    limits = settings.limits
    gate = ConcurrencyGate(limits.llm_max_concurrency, limits.llm_queue_size, limits.llm_queue_wait)
    introduction = introduction or build_introduction(prompts, context, crisis)

    stages: list[Stage] = [
        ValidateStage(prompts, crisis, max_chars),
        LoadSessionStage(context, gatekeeper, crisis.own_language),
        CrisisStage(
            crisis,
            context,
            AlertMarks(context.redis, ttl=context.crisis_ttl, index_ttl=context.index_ttl),
            introduction,
        ),
        EditStage(),
        DedupeStage(),
        LengthStage(prompts, crisis, max_chars, introduction),
        ToolStage(tools or load_tools(settings.prompts_dir / "tools"), prompts, crisis, context, introduction),
        CommandStage(prompts, context, crisis, countries),
        ConsentStage(
            crisis,
            required=settings.privacy.consent_required,
            llm_configured=llm is not None,
            introduction=introduction,
            context=context,
        ),
    ]
    if gatekeeper.limiter is not None:
        stages.append(LimitStage(prompts, crisis))
    if gatekeeper.lock is not None:
        stages.append(FoldStage(prompts, crisis, gatekeeper.lock, context))
    stages.append(ReplyStage(prompts, context, crisis, llm, settings.llm.llm_stream_interval, gate, gatekeeper))
    return stages


def build_gatekeeper(settings: Settings, context: ContextStore, *, llm_configured: bool) -> Gatekeeper:
    """Limits and the conversation lock only guard the LLM, so without one only the duplicate check runs."""
    limits = settings.limits
    redis = context.redis
    dedupe = Dedupe(limits.dedupe_ttl)
    if not llm_configured:
        return Gatekeeper(redis, dedupe, scripts=context.scripts, round_trips=context.round_trips)
    lock = ConversationLock(
        redis, ttl=limits.conversation_lock_ttl, wait=limits.conversation_wait, poll=limits.conversation_poll
    )
    return Gatekeeper(
        redis, dedupe, Limiter(redis, limits), lock, scripts=context.scripts, round_trips=context.round_trips
    )
