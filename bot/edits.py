"""An edited message is read for a crisis, and answered only when it is one.

People add to what they sent: "i dont know what to do" becomes "i dont know what to do. i have the pills here".
Discord and Slack deliver that as an edit, not a new message, and it must not go unheard: the crisis stage reads
the new words like any message's (its crisis reply, or its direct question). Anything else about an edit is left
alone, as `Reply(kind="edited")` with no text, which adapters drop: the message was answered when it was sent,
and a typo put right must not get a second answer. An edit answers no question (bot/crisis/service.py,
`expected_answer`), and is never rate-limited or queued behind a reply (bot/gatekeeper.py).
"""

from __future__ import annotations

from bot.models import Reply
from bot.pipeline import Turn

EDITED = "edited"


class EditStage:
    name = "edits"

    async def run(self, turn: Turn) -> Reply | None:
        return Reply("", kind=EDITED) if turn.msg.edited else None
