"""Pseudonyms for platform ids, so raw user, channel and workspace ids never reach Redis or the logs.

HMAC-SHA256 keyed with `ID_HASH_SECRET`: the same person maps to the same key for as long as the secret is
kept, and nobody holding only Redis can reverse it or test a guess without the secret.
"""

from __future__ import annotations

import hashlib
import hmac


class Pseudonymizer:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("ID_HASH_SECRET must be at least 16 bytes")
        self._secret = secret

    def __call__(self, kind: str, *parts: str) -> str:
        """A stable 128-bit pseudonym for `parts`, separated by kind so a user id never equals a channel id."""
        message = "\x1f".join((kind, *parts)).encode("utf-8", "surrogatepass")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]
