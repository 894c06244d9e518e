"""Typed settings, one section per concern, read from the environment and `.env`.

Settings are built once by `load_settings()` at start-up and passed in; nothing reads the environment at import.
A wrong value stops start-up with `ConfigError`, whose message is one line naming the variable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


class ConfigError(Exception):
    """A setting is missing or wrong. The message is one line, safe to print to an operator."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `count` events per `period` seconds."""

    count: int
    period: int

    def __str__(self) -> str:
        return f"{self.count}/{self.period}s"


def parse_rate(value: Any) -> RateLimit:
    if isinstance(value, RateLimit):
        return value
    match = _RATE_RE.match(str(value))
    if not match:
        raise ValueError(f"expected 'N/period' with period s, m, h or d, e.g. '20/10m' (got {str(value)!r})")
    count, multiple, unit = int(match[1]), int(match[2] or 1), match[3]
    if count <= 0 or multiple <= 0:
        raise ValueError(f"the count and the period must be positive (got {str(value)!r})")
    return RateLimit(count, multiple * _PERIOD_SECONDS[unit])


def _split_ints(value: Any) -> Any:
    if isinstance(value, str):
        parts = [part.strip() for part in value.replace(" ", ",").split(",") if part.strip()]
        return tuple(int(part) for part in parts) if parts else None
    return value


Rate = Annotated[RateLimit, NoDecode, BeforeValidator(parse_rate)]


class _Section(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)


class LLMSettings(_Section):
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = Field(30.0, gt=0)
    llm_max_retries: int = Field(2, ge=0, le=10)
    llm_max_tokens: int = Field(500, gt=0, le=8000)
    llm_temperature: float = Field(0.7, ge=0, le=2)
    llm_stream_interval: float = Field(1.0, ge=0.05)

    @property
    def configured(self) -> bool:
        return bool(self.openai_base_url) or self.openai_api_key is not None


class RedisSettings(_Section):
    redis_url: str | None = None

    @field_validator("redis_url")
    @classmethod
    def _scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"must start with redis://, rediss:// or unix:// (got {value.split(':')[0]!r}://...)")
        return value or None


class PrivacySettings(_Section):
    context_ttl: int = Field(1800, gt=0, le=7 * 86400)
    context_max_turns: int = Field(12, gt=0, le=200)
    context_max_chars: int = Field(8000, gt=200)
    id_hash_secret: SecretStr | None = None
    consent_required: bool = True
    disclaimer_ttl: int = Field(86400, gt=0)
    max_message_chars: int = Field(4000, gt=10)

    @field_validator("id_hash_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        # bot/ids.py refuses a shorter key; say so at start-up in one line, not as a traceback.
        if value is not None and len(value.get_secret_value().encode("utf-8")) < 16:
            raise ValueError("must be at least 16 bytes long")
        return value


class CrisisSettings(_Section):
    default_country: str | None = None
    crisis_moderation: bool = False
    crisis_moderation_timeout: float = Field(1.5, gt=0)
    crisis_mode_ttl: int = Field(3600, gt=0)
    # The learned screen (bot/crisis/classifier.py): asks directly when it sees crisis wording no rule names.
    crisis_classifier: bool = True

    @field_validator("default_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
            raise ValueError(f"expected a two-letter ISO country code such as US or GB (got {value!r})")
        return value.strip().upper()


class LimitSettings(_Section):
    rate_limit_per_user: Rate = RateLimit(20, 600)
    rate_limit_per_channel: Rate = RateLimit(60, 600)
    rate_limit_per_tenant: Rate = RateLimit(600, 3600)
    rate_limit_global: Rate = RateLimit(6000, 3600)
    llm_tokens_per_minute: int = Field(90_000, gt=0)
    llm_tokens_per_day_per_tenant: int = Field(2_000_000, gt=0)
    llm_max_concurrency: int = Field(8, gt=0, le=1000)
    llm_queue_size: int = Field(32, ge=0)
    llm_queue_wait: float = Field(10.0, ge=0)
    # Resilience of the LLM calls (bot/llm.py, bot/breaker.py). Exactly one layer retries: Hearth's own
    # (LLM_MAX_RETRIES, with Retry-After and jittered backoff) unless LLM_SDK_RETRIES > 0 hands it to the SDK.
    llm_deadline: float = Field(45.0, gt=0)
    llm_sdk_retries: int = Field(0, ge=0, le=10)
    llm_backoff_base: float = Field(0.5, gt=0)
    llm_backoff_max: float = Field(8.0, gt=0)
    llm_breaker_failures: int = Field(5, gt=0)
    llm_breaker_cooldown: float = Field(30.0, gt=0)
    # Duplicate platform events and one reply at a time per conversation (bot/dedupe.py, bot/convlock.py).
    dedupe_ttl: int = Field(600, gt=0)
    conversation_lock_ttl: int = Field(90, gt=0)
    conversation_wait: float = Field(60.0, ge=0)
    conversation_poll: float = Field(0.05, gt=0)

    @model_validator(mode="after")
    def _lock_outlives_a_reply(self) -> LimitSettings:
        # A lock that expired mid-reply would let the next message be answered in parallel.
        if self.conversation_lock_ttl <= self.llm_deadline + self.llm_queue_wait:
            raise ValueError(
                "CONVERSATION_LOCK_TTL must be longer than LLM_DEADLINE + LLM_QUEUE_WAIT "
                f"({self.conversation_lock_ttl} <= {self.llm_deadline} + {self.llm_queue_wait})"
            )
        return self


class ProcessSettings(_Section):
    # On SIGTERM or SIGINT, how long messages in flight may take to finish and be delivered before the
    # adapter is stopped anyway; keep it under the stop timeout (docker's 10 s, systemd's TimeoutStopSec).
    shutdown_grace_seconds: float = Field(10.0, ge=0)


class DiscordSettings(_Section):
    discord_token: SecretStr | None = None
    discord_api_base_url: str | None = None
    discord_gateway_url: str | None = None
    discord_shard_count: int | None = Field(None, gt=0)
    discord_shard_ids: Annotated[tuple[int, ...] | None, NoDecode, BeforeValidator(_split_ints)] = None
    discord_edit_interval: float = Field(1.0, ge=0.2)
    discord_guild_ready_timeout: float = Field(2.0, ge=0)
    # Discord drops an interaction not answered within 3 s: a slower answer is deferred ("thinking…") first.
    discord_defer_after: float = Field(2.0, gt=0, le=2.5)

    @model_validator(mode="after")
    def _shards(self) -> DiscordSettings:
        ids = self.discord_shard_ids
        if ids is None:
            return self
        if self.discord_shard_count is None:
            raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total number of shards)")
        if any(not 0 <= shard < self.discord_shard_count for shard in ids):
            raise ValueError(f"DISCORD_SHARD_IDS must be between 0 and DISCORD_SHARD_COUNT - 1 (got {list(ids)})")
        return self


class SlackSettings(_Section):
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_base_url: str | None = None
    slack_mode: Literal["socket", "http"] = "socket"
    slack_update_interval: float = Field(1.0, ge=0.2)
    port: int = Field(3000, gt=0, lt=65536)
    # HTTP mode listens on every interface by default: it normally runs in a container behind a load balancer.
    slack_http_host: str = "0.0.0.0"  # noqa: S104

    @field_validator("slack_api_base_url")
    @classmethod
    def _trailing_slash(cls, value: str | None) -> str | None:
        if value and not value.endswith("/"):
            return value + "/"
        return value


@dataclass(frozen=True, slots=True)
class Settings:
    llm: LLMSettings
    redis: RedisSettings
    privacy: PrivacySettings
    crisis: CrisisSettings
    limits: LimitSettings
    process: ProcessSettings
    discord: DiscordSettings
    slack: SlackSettings
    prompts_dir: Path

    def platform(self) -> Literal["console", "discord", "slack"]:
        """What `python -m bot` runs when no platform is named (DESIGN.md, "Start-up")."""
        if self.discord.discord_token is not None:
            return "discord"
        slack = self.slack
        if slack.slack_bot_token is not None:
            if slack.slack_mode == "http" and slack.slack_signing_secret is not None:
                return "slack"
            if slack.slack_mode == "socket" and slack.slack_app_token is not None:
                return "slack"
        return "console"

    def require(self, platform: str) -> None:
        """Raise `ConfigError` naming the first setting `platform` needs and lacks."""
        missing: list[str] = []
        if platform == "discord" and self.discord.discord_token is None:
            missing.append("DISCORD_TOKEN")
        if platform == "slack":
            slack = self.slack
            needed = ["SLACK_BOT_TOKEN"]
            needed.append("SLACK_SIGNING_SECRET" if slack.slack_mode == "http" else "SLACK_APP_TOKEN")
            missing += [name for name in needed if getattr(slack, name.lower()) is None]
        if platform != "console" and self.privacy.id_hash_secret is None:
            # A random per-run secret would forget everyone at each restart and break /forget across replicas.
            missing.append("ID_HASH_SECRET")
        if missing:
            raise ConfigError(f"Configuration error: {missing[0]} is not set; {platform} needs it (see .env.example)")


_SECTIONS: dict[str, type[_Section]] = {
    "llm": LLMSettings,
    "redis": RedisSettings,
    "privacy": PrivacySettings,
    "crisis": CrisisSettings,
    "limits": LimitSettings,
    "process": ProcessSettings,
    "discord": DiscordSettings,
    "slack": SlackSettings,
}


def default_prompts_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "prompts"


def load_settings(env_file: str | Path | None = ".env", prompts_dir: Path | None = None, **overrides: Any) -> Settings:
    """Build every section once. `overrides` are field values by name (tests use them instead of the env)."""
    built: dict[str, Any] = {}
    for name, section in _SECTIONS.items():
        own = {key: value for key, value in overrides.items() if key in section.model_fields}
        try:
            built[name] = section(_env_file=env_file, **own)
        except ValidationError as exc:
            raise ConfigError(_one_line(exc)) from None
        except SettingsError as exc:
            raise ConfigError(f"Configuration error: {exc}") from None
    return Settings(prompts_dir=prompts_dir or default_prompts_dir(), **built)


def _one_line(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:  # a check across fields already names its variables
        return f"Configuration error: {message}"
    return f"Configuration error: {str(error['loc'][0]).upper()}: {message}"
