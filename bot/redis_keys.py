"""Every Redis key name Hearth writes, in one place.

User keys carry only the HMAC pseudonym, inside a `{...}` hash tag so one user's keys share a Redis Cluster
slot (a transaction over them works on a cluster too).
"""

from __future__ import annotations

PREFIX = "hearth"
# Every rate-limit and token-budget key shares this hash tag (one slot) so one script decides them all;
# bot/limits.py says why.
LIMITS_TAG = "hearth-limits"
LIMITS_BASE = f"{PREFIX}:{{{LIMITS_TAG}}}"


class UserKeys:
    def __init__(self, user: str) -> None:
        self.base = f"{PREFIX}:{{{user}}}"
        self.index = f"{self.base}:index"
        self.consent = f"{self.base}:consent"
        self.disclaimer = f"{self.base}:disclaimer"
        # Set when a crisis reply was someone's introduction: what Hearth keeps (the disclaimer's privacy line)
        # is still owed to them, and shown once on their next reply that is no crisis reply (bot/introduction.py).
        self.privacy = f"{self.base}:privacy"
        self.checkins = f"{self.base}:checkins"
        self.country = f"{self.base}:country"
        # The person's latest crisis-mode note from any of their conversations (levels and categories, never
        # text): a crisis told in a server channel is answered by DM, and the DM is where they answer it.
        self.safety = f"{self.base}:safety"
        # The digests of this user's recent platform event ids (bot/dedupe.py): one sorted set under the user's
        # hash tag, so the session's read script can mark an event as seen, and `/forget` can erase it.
        self.seen = f"{PREFIX}:dedupe:{{{user}}}"

    def context(self, conversation: str) -> str:
        return f"{self.base}:ctx:{conversation}"

    def crisis(self, conversation: str) -> str:
        return f"{self.base}:crisis:{conversation}"

    def alerted(self, conversation: str) -> str:
        """When moderators were last alerted about `conversation`, for what level, and whether with the summary
        (bot/alerted.py): numbers, never text."""
        return f"{self.base}:alerted:{conversation}"

    def flow(self, conversation: str) -> str:
        return f"{self.base}:flow:{conversation}"

    def language(self, conversation: str) -> str:
        """The language the person's own words last said in `conversation`: a code such as "es", never text."""
        return f"{self.base}:lang:{conversation}"

    def lock(self, conversation: str) -> str:
        """Held while this user's message in `conversation` is being answered (bot/convlock.py)."""
        return f"{self.base}:lock:{conversation}"

    def pending(self, conversation: str) -> str:
        """Messages that arrived while the lock was held, to be folded into the next turn."""
        return f"{self.base}:pending:{conversation}"

    def kind_of(self, name: str) -> str:
        """`ctx`, `crisis`, `consent`, ... for one of this user's key names."""
        return name.removeprefix(self.base + ":").split(":", 1)[0]


def community_key(tenant: str) -> str:
    return f"{PREFIX}:community:{tenant}"


def limit_window(scope: str, subject: str) -> str:
    """A rate-limit window: `scope` is user, conv or tenant, `subject` its pseudonym."""
    return f"{LIMITS_BASE}:{scope}:{subject}"
