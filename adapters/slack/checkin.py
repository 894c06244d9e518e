"""The mood check-in as a Slack modal: a 1–5 select and an optional note, turned into the core's `/checkin`.

The modal only collects; recording, the chart and any follow-up are the core's check-in tool, so a note
that signals a crisis is screened like any other message. Its words are the check-in's own (`form` and `labels` in
prompts/tools/<language>/checkin.yaml), in the person's Slack language where Hearth has texts in it.
"""

from __future__ import annotations

from typing import Any

from adapters.slack.blocks import MODAL_PREFIX, slack_commands
from bot.tools.content import CheckinContent

CALLBACK_ID = "hearth_checkin"
OPEN_ACTION = f"{MODAL_PREFIX}checkin"
NOTE_LIMIT = 200
SCORES = frozenset({"1", "2", "3", "4", "5"})


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def modal(said: CheckinContent, kept: str) -> dict[str, Any]:
    """`said`: the check-in's texts in the person's language; `kept`: how long check-ins are kept, as /about says."""
    form = said.form
    labels = enumerate(said.labels, 1)
    options = [{"text": _plain(f"{score} · {label}"), "value": str(score)} for score, label in labels]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(form.title),
        "submit": _plain(form.submit),
        "close": _plain(form.cancel),
        "blocks": [
            {
                "type": "input",
                "block_id": "mood",
                "label": _plain(form.question),
                "element": {
                    "type": "static_select",
                    "action_id": "score",
                    "placeholder": _plain(form.placeholder),
                    "options": options,
                },
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": _plain(form.note),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "max_length": NOTE_LIMIT,
                },
            },
            {
                "type": "context",
                "elements": [_plain(slack_commands(form.kept.format(time=kept)))],
            },
        ],
    }


def command_text(view: dict[str, Any]) -> str | None:
    """`/checkin <score> <note>` from a submitted modal, or None if the score is missing or not 1–5."""
    values = (view.get("state") or {}).get("values") or {}
    selected = ((values.get("mood") or {}).get("score") or {}).get("selected_option") or {}
    score = str(selected.get("value", ""))
    if score not in SCORES:
        return None
    note = str(((values.get("note") or {}).get("text") or {}).get("value") or "").strip()[:NOTE_LIMIT]
    return f"/checkin {score} {note}".strip()
