"""What the first round trip of a message decided about it, before any stage needed it.

The session read, the duplicate check, the rate-limit decision and the conversation lock all go to Redis in
one pipeline (bot/gatekeeper.py); the later stages (dedupe, limits, conversation lock, reply) only read this.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.convlock import LockState
from bot.limits import Decision


@dataclass
class Admission:
    """`checked` is False when the gate did not run or Redis did not answer: then nothing is limited
    (fail open: the concurrency cap still bounds the LLM calls) and nothing needs settling.

    `spent`: the message reached the LLM, so its place in the windows is kept. `released`: the conversation
    lock was given back (or was never held)."""

    checked: bool = False
    duplicate: bool = False
    decision: Decision | None = None
    lock: LockState | None = None
    spent: bool = False
    released: bool = False
