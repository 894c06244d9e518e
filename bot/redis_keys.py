"""Every Redis key name Hearth writes, in one place.

User keys carry only the HMAC pseudonym, inside a `{...}` hash tag so one user's keys share a Redis Cluster
slot (a transaction over them works on a cluster too).
"""

from __future__ import annotations

PREFIX = "hearth"


class UserKeys:
    def __init__(self, user: str) -> None:
        self.base = f"{PREFIX}:{{{user}}}"
        self.index = f"{self.base}:index"
        self.consent = f"{self.base}:consent"
        self.disclaimer = f"{self.base}:disclaimer"
        self.checkins = f"{self.base}:checkins"

    def context(self, conversation: str) -> str:
        return f"{self.base}:ctx:{conversation}"

    def crisis(self, conversation: str) -> str:
        return f"{self.base}:crisis:{conversation}"

    def flow(self, conversation: str) -> str:
        return f"{self.base}:flow:{conversation}"

    def kind_of(self, name: str) -> str:
        """`ctx`, `crisis`, `consent`, ... for one of this user's key names."""
        return name.removeprefix(self.base + ":").split(":", 1)[0]


def community_key(tenant: str) -> str:
    return f"{PREFIX}:community:{tenant}"
