"""The one composition root: settings → Redis → stores → LLM service → pipeline.

Nothing else in Hearth constructs long-lived objects; adapters receive an `App` and use its parts.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.community import CommunityStore
from bot.config import ConfigError, Settings
from bot.context import ContextStore
from bot.countries import Countries, load_countries
from bot.crisis import Crisis, build_crisis
from bot.crisis.language import LanguageModel
from bot.crisis.screen import OutputScreen
from bot.embedded_redis import EmbeddedRedis
from bot.ids import Pseudonymizer
from bot.llm import ReplyService
from bot.pipeline import Pipeline
from bot.prompts import Prompts, load_prompts
from bot.stages import build_introduction, build_stages, sorry_reply
from bot.tools.content import ToolBook, load_tools

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class App:
    """Everything an adapter needs. Adapters call `pipeline.handle()` and never reach past it for decisions."""

    settings: Settings
    redis: Redis
    ids: Pseudonymizer
    prompts: Prompts
    context: ContextStore
    communities: CommunityStore
    llm: ReplyService | None
    crisis: Crisis
    pipeline: Pipeline
    countries: Countries
    # The tools' texts, for what an adapter shows before any turn (Slack's check-in modal), as the tools say them.
    tools: ToolBook


def _hash_secret(settings: Settings) -> bytes:
    secret = settings.privacy.id_hash_secret
    if secret is not None:
        return secret.get_secret_value().encode()
    log.warning(
        "ID_HASH_SECRET is not set: using a random one for this run only, so Hearth will not recognise "
        "anyone after a restart. Set ID_HASH_SECRET to keep pseudonyms stable."
    )
    return secrets.token_bytes(32)


def build_app(
    settings: Settings,
    redis: Redis,
    *,
    hash_secret: bytes | None = None,
    languages: LanguageModel | None = None,
    screen: OutputScreen | None = None,
) -> App:
    """Wire the parts together. Raises `PromptError` for a bad prompt file (a start-up error). `languages`, the
    model that reads a message's language, and `screen`, the LLM output screen (about a second to read), are
    loaded here unless given (tests build many apps and share them)."""
    prompts = load_prompts(settings.prompts_dir)
    privacy = settings.privacy
    context = ContextStore(
        redis,
        ttl=privacy.context_ttl,
        max_turns=privacy.context_max_turns,
        max_chars=privacy.context_max_chars,
        flag_ttl=privacy.disclaimer_ttl,
        crisis_ttl=settings.crisis.crisis_mode_ttl,
    )
    communities = CommunityStore(redis)
    llm = ReplyService.from_settings(settings.llm, settings.limits) if settings.llm.configured else None
    ids = Pseudonymizer(hash_secret or _hash_secret(settings))
    crisis = build_crisis(settings, languages, screen)
    folder = settings.prompts_dir
    countries = load_countries(folder / "countries.txt", crisis.directory.aliases, folder / "country_names")
    _check_default_country(settings, countries)
    tools = load_tools(settings.prompts_dir / "tools")
    introduction = build_introduction(prompts, context, crisis)
    stages = build_stages(settings, prompts, context, crisis, llm, countries, tools, introduction)
    pipeline = Pipeline(stages, sorry_reply(prompts, crisis), introduction.after)
    return App(settings, redis, ids, prompts, context, communities, llm, crisis, pipeline, countries, tools)


def _check_default_country(settings: Settings, countries: Countries) -> None:
    """A DEFAULT_COUNTRY of the right shape that is no country (ZZ) would silently give everyone the
    international fallback: refuse it at start-up, in one line naming the setting."""
    code = settings.crisis.default_country
    if code is not None and not countries.known(code):
        raise ConfigError(
            f"Configuration error: DEFAULT_COUNTRY: {code} is not an ISO 3166-1 country code "
            f"(see prompts/countries.txt); use e.g. DEFAULT_COUNTRY=DE, or leave it unset"
        )


@asynccontextmanager
async def running(settings: Settings, *, hash_secret: bytes | None = None) -> AsyncIterator[App]:
    """Start what the app needs (the embedded Redis when `REDIS_URL` is unset), yield it, then stop it all."""
    async with AsyncExitStack() as stack:
        url = settings.redis.redis_url
        if url is None:
            url = stack.enter_context(EmbeddedRedis()).url
            log.info("started a private, non-persistent Redis for this run")
        redis: Redis = Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        stack.push_async_callback(redis.aclose)
        app = build_app(settings, redis, hash_secret=hash_secret)
        # Someone's first crisis message must not wait for its patterns to be compiled, nor start-up for all of
        # them (a second or so): they are compiled on a thread while the adapter starts.
        compiling = asyncio.create_task(asyncio.to_thread(app.crisis.detector.prepare))
        stack.push_async_callback(_finished, compiling)
        if app.llm is not None:
            stack.push_async_callback(app.llm.aclose)
        stack.push_async_callback(app.crisis.aclose)
        yield app


async def _finished(compiling: asyncio.Task[None]) -> None:
    """At shutdown: let the patterns' compiling end (it cannot be interrupted), and say if it failed; messages
    then compiled what they needed themselves."""
    try:
        await compiling
    except Exception:
        log.exception("compiling the crisis patterns ahead of time failed")
