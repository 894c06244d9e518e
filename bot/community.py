"""Community settings: what a server or workspace admin configured (country, language, channels, moderators).

This is configuration about a community, not personal data, but like everything in Redis it carries an
expiry: it lasts `COMMUNITY_TTL` (90 days) from its last change or use, so an abandoned server leaves nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from redis.asyncio import Redis

from bot.redis_keys import community_key

COMMUNITY_TTL = 90 * 86400
# The languages an admin may choose for what Hearth writes to the community's moderators and admins: those of
# prompts/messages/ (tests/core/test_community_language.py keeps the two the same).
LANGUAGES = frozenset({"de", "en", "es", "fr", "it", "nl", "pl", "pt"})
# What an admin types to unset the language, on every platform.
CLEAR = "clear"


@dataclass(frozen=True, slots=True)
class Community:
    """Channel and role ids here are the platform's own: admins configured them and moderators need them."""

    country: str | None = None
    # What Hearth writes to moderators and admins (alerts, settings) is in this language; None: not chosen, so
    # each platform's own fallback (Discord: the server's language; Slack: English). Members' own replies follow
    # their words, never this.
    language: str | None = None
    enabled_channels: tuple[str, ...] = ()
    moderator_channel: str | None = None
    moderator_role: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @staticmethod
    def from_json(raw: bytes | str | None) -> Community:
        if not raw:
            return Community()
        try:
            data: dict[str, Any] = json.loads(raw)
        except ValueError:
            return Community()
        country, language = data.get("country"), data.get("language")
        return Community(
            country=country.upper() if isinstance(country, str) and len(country) == 2 else None,
            language=language if isinstance(language, str) and language in LANGUAGES else None,
            enabled_channels=tuple(str(channel) for channel in data.get("enabled_channels") or ()),
            moderator_channel=_str_or_none(data.get("moderator_channel")),
            moderator_role=_str_or_none(data.get("moderator_role")),
            extra={str(k): str(v) for k, v in (data.get("extra") or {}).items()},
        )


class CommunityStore:
    def __init__(self, redis: Redis, ttl: int = COMMUNITY_TTL) -> None:
        self._redis = redis
        self._ttl = ttl

    async def get(self, tenant: str) -> Community:
        return Community.from_json(await self._redis.getex(community_key(tenant), ex=self._ttl))

    async def update(self, tenant: str, **changes: Any) -> Community:
        """Raises ValueError for a language Hearth has no texts in: the adapters refuse it, in words, first."""
        if changes.get("language") not in (None, *LANGUAGES):
            raise ValueError("a community's language must be one of Hearth's languages")
        current = await self.get(tenant)
        updated = replace(current, **changes)
        await self._redis.set(community_key(tenant), updated.to_json(), ex=self._ttl)
        return updated


def parse_language(typed: str) -> str | None:
    """The language an admin typed ("ES", "pt-BR") as Hearth's code ("es", "pt"); None for `clear` (unset it).
    Raises ValueError for anything else, which the adapters answer with the codes to choose from."""
    word = typed.strip().lower()
    if word == CLEAR:
        return None
    language = word.replace("_", "-").split("-")[0]
    if language not in LANGUAGES:
        raise ValueError("not one of Hearth's languages")
    return language


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
