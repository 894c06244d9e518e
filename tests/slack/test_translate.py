"""Translation at the edge: Slack markup to plain words, pseudonyms, links, and Block Kit that pings nobody."""

from __future__ import annotations

from adapters.slack import blocks, translate
from bot.ids import Pseudonymizer
from bot.models import Action, ActionStyle, Reply

ids = Pseudonymizer(b"k" * 32)


def test_markup_becomes_the_words_a_person_typed():
    text = "<@U0HEARTH> ask <@U0BOB|bob> in <#C0X|general> about <https://example.org|this> &amp; <!here> &lt;3"

    assert translate.plain_text(text, "U0HEARTH") == "ask @someone in #general about this & @here <3"


def test_context_is_per_user_per_thread_and_per_dm():
    thread_alice = translate.Place("T1", "C1", "U1", "1.1")
    thread_bob = translate.Place("T1", "C1", "U2", "1.1")
    other_thread = translate.Place("T1", "C1", "U1", "2.2")
    dm = translate.Place("T1", "D1", "U1", None, is_dm=True)

    keys = {translate.conversation(ids, place) for place in (thread_alice, thread_bob, other_thread, dm)}

    assert len(keys) == 4
    msg = translate.incoming(ids, thread_alice, "hi", event_id="Ev1")
    assert "U1" not in (msg.user + msg.tenant + msg.conversation + (msg.event_id or "") + (msg.channel or ""))
    assert msg.user == ids("user", "slack", "T1", "U1") and not msg.is_private


def test_permalinks_point_at_the_message_and_its_thread():
    url = "https://w.slack.com/"

    assert translate.permalink(url, "C1", "1700000000.000100") == "https://w.slack.com/archives/C1/p1700000000000100"
    assert translate.permalink(url, "C1", "1.2", "1.1") == "https://w.slack.com/archives/C1/p12?thread_ts=1.1&cid=C1"
    assert translate.permalink(None, "C1", "1.2") is None


def test_the_same_message_has_one_event_id_in_both_of_its_events():
    message = {"client_msg_id": "m-1", "ts": "1.1"}

    assert translate.message_event_id({"event_id": "Ev1"}, message) == translate.message_event_id(
        {"event_id": "Ev2"}, message
    )


def test_replies_render_escaped_sections_with_links_and_stable_buttons():
    reply = Reply(
        "Call <!channel> 116 123 or see https://findahelpline.com. **Now** & later",
        actions=(Action("handoff", "Talk to a person", ActionStyle.PRIMARY), Action("resources", "Show lines")),
    )

    payload = blocks.reply_message(reply)

    section = payload["blocks"][0]["text"]
    assert section["verbatim"] is True
    assert section["text"] == (
        "Call &lt;!channel&gt; 116 123 or see <https://findahelpline.com|https://findahelpline.com>. *Now* &amp; later"
    )
    buttons = payload["blocks"][1]["elements"]
    assert [b["action_id"] for b in buttons] == ["hearth:handoff", "hearth:resources"]
    assert buttons[0]["style"] == "primary" and "style" not in buttons[1]
    assert "<!channel>" not in payload["text"]


def test_long_replies_are_split_into_sections_slack_accepts():
    text = ("word " * 1500).strip()

    sections = blocks.sections(text)

    assert len(sections) == 3
    assert all(len(section["text"]["text"]) <= blocks.SECTION_LIMIT for section in sections)
    assert " ".join(section["text"]["text"] for section in sections) == text


def test_text_without_spaces_is_never_split_inside_an_escaped_character():
    pieces = [section["text"]["text"] for section in blocks.sections("&<" * 3000)]

    assert "".join(pieces) == "&amp;&lt;" * 3000
    assert all(piece.startswith("&") and piece.endswith(";") for piece in pieces)


def test_button_ids_map_back_to_core_actions_and_commands():
    assert blocks.action_from_id("hearth:resources") == ("resources", None)
    assert blocks.action_from_id("hearth:cmd:mydata") == (None, "mydata")
    assert blocks.action_from_id("other:thing") == (None, None)
    assert blocks.action_from_id("hearth:modal:checkin") == (None, None)


def test_the_cores_commands_are_shown_as_slack_users_type_them():
    text = "Try /resources or /checkin 3 tired, /hearth about, or https://988lifeline.org/help and a/b /unknown"

    assert blocks.slack_commands(text) == (
        "Try /hearth resources or /hearth checkin 3 tired, /hearth about, or https://988lifeline.org/help "
        "and a/b /unknown"
    )
