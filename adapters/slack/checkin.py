"""The mood check-in as a Slack modal: a 1–5 select and an optional note, turned into the core's `/checkin`.

The modal only collects; recording, the chart and any follow-up are the core's check-in tool, so a note
that signals a crisis is screened like any other message.
"""

from __future__ import annotations

from typing import Any

from adapters.slack.blocks import MODAL_PREFIX

CALLBACK_ID = "hearth_checkin"
OPEN_ACTION = f"{MODAL_PREFIX}checkin"
NOTE_LIMIT = 200
# The modal is opened before any message says the person's language, so it is in English; the core answers the
# submitted check-in in the language it chooses for the person.
LABELS = {1: "very low", 2: "low", 3: "okay", 4: "good", 5: "very good"}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def modal(keep_days: int) -> dict[str, Any]:
    options = [{"text": _plain(f"{score} · {label}"), "value": str(score)} for score, label in LABELS.items()]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain("Mood check-in"),
        "submit": _plain("Check in"),
        "close": _plain("Cancel"),
        "blocks": [
            {
                "type": "input",
                "block_id": "mood",
                "label": _plain("How are you feeling right now?"),
                "element": {
                    "type": "static_select",
                    "action_id": "score",
                    "placeholder": _plain("1 (very low) to 5 (very good)"),
                    "options": options,
                },
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": _plain("A note, if you like"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "max_length": NOTE_LIMIT,
                },
            },
            {
                "type": "context",
                "elements": [
                    _plain(
                        f"Check-ins are opt-in and kept for {keep_days} days so you can see how things change. "
                        "The answer comes by DM. /hearth forget erases them."
                    )
                ],
            },
        ],
    }


def command_text(view: dict[str, Any]) -> str | None:
    """`/checkin <score> <note>` from a submitted modal, or None if the score is missing or not 1–5."""
    values = (view.get("state") or {}).get("values") or {}
    selected = ((values.get("mood") or {}).get("score") or {}).get("selected_option") or {}
    score = str(selected.get("value", ""))
    if score not in {str(key) for key in LABELS}:
        return None
    note = str(((values.get("note") or {}).get("text") or {}).get("value") or "").strip()[:NOTE_LIMIT]
    return f"/checkin {score} {note}".strip()
