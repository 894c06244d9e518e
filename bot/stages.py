"""The order of the pipeline's stages, in one place, because the order is the safety argument.

validate → load session → crisis → length → commands → consent → limits → reply. The crisis stage stands
before everything that can be limited or can call an LLM; loading the session (tolerant of Redis being down)
stands before it so earlier distress in the conversation can raise a later ambiguous message.
"""

from __future__ import annotations

from bot.commands import CommandStage, minutes
from bot.config import Settings
from bot.consent import ConsentStage
from bot.context import ContextStore
from bot.crisis import Crisis
from bot.crisis.stage import CrisisStage
from bot.llm import ReplyService
from bot.pipeline import Stage
from bot.prompts import Prompts
from bot.reply import ReplyStage
from bot.session import LoadSessionStage
from bot.validate import LengthStage, ValidateStage


def build_stages(
    settings: Settings, prompts: Prompts, context: ContextStore, crisis: Crisis, llm: ReplyService | None
) -> list[Stage]:
    max_chars = settings.privacy.max_message_chars
    return [
        ValidateStage(prompts, max_chars),
        LoadSessionStage(context),
        CrisisStage(crisis, context),
        LengthStage(prompts, max_chars),
        CommandStage(prompts, context, crisis),
        ConsentStage(
            prompts,
            required=settings.privacy.consent_required,
            llm_configured=llm is not None,
            context_minutes=minutes(context.ttl),
        ),
        ReplyStage(prompts, context, crisis, llm, settings.llm.llm_stream_interval),
    ]
