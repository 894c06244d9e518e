"""When Discord refuses every private route for a reply touching distress, the person still sees the crisis
lines: in the channel where they were, mentioning only them, never with their words. When even that is refused,
one line with codes only is logged, and the moderators' alert says the reply did not arrive."""

from __future__ import annotations

import logging

import pytest

from bot.models import Level, Reply
from tests.discord.conftest import Scripted
from tests.discord.people import ALICE, CRISIS_TEXT
from tests.fakes.discord_server import BOT_ID

IMMINENT_TEXT = "I have the pills ready tonight"
NO_ROUTE = "reached the person by no route"


def refuse_interactions(server):
    """The interaction's token expired: neither its response nor a follow-up is taken."""
    server.refuse(lambda call: call.path.startswith("/interactions/"), 404, 10062, "Unknown interaction")
    server.refuse(lambda call: call.path.startswith("/webhooks/"), 404, 10015, "Unknown Webhook")


def refuse_channel(server):
    """The bot may no longer post in the channel (or it is gone)."""
    server.refuse(
        lambda call: call.path.startswith(f"/channels/{server.channel_id}/"), 403, 50013, "Missing Permissions"
    )


async def in_britain(bot, server, **more):
    tenant = bot.app.ids("tenant", "discord", str(server.guild_id))
    await bot.app.communities.update(tenant, country="GB", **more)


def only_them(call) -> bool:
    mentions = call.allowed_mentions or {}
    return mentions.get("parse") == [] and mentions.get("users") == [ALICE] and not mentions.get("roles")


async def test_when_the_interaction_and_the_dm_both_fail_the_lines_appear_in_the_channel_mentioning_them(
    start_bot, discord_server
):
    bot = await start_bot()
    await in_britain(bot, discord_server)
    refuse_interactions(discord_server)
    discord_server.closed_dms.add(ALICE)

    await discord_server.interact(user=ALICE, command="checkin", options={"mood": CRISIS_TEXT})
    shown = await discord_server.wait_for_text(discord_server.channel_id, f"<@{ALICE}>")

    assert "999" in shown.content, "the emergency number for their country"
    assert "116 123" in shown.content, "and their country's crisis line"
    assert "DMs are closed" in shown.content and "/resources" in shown.content, "and how to hear from Hearth privately"
    assert "kill" not in shown.content and "automated bot, not a person" not in shown.content, "never their words"
    assert only_them(shown), "it pings them and nobody else"
    assert "message_reference" not in shown.body


async def by_command(server):
    await server.interact(user=ALICE, command="checkin", options={"mood": IMMINENT_TEXT})


async def by_mention(server):
    # E.g. in a read-only channel where someone mentioned Hearth.
    await server.send_message(f"<@{BOT_ID}> {IMMINENT_TEXT}", author=ALICE, mentions=(BOT_ID,))


@pytest.mark.parametrize("ask", [by_command, by_mention])
async def test_when_discord_refuses_every_route_one_line_is_logged_and_the_moderators_alert_says_so(
    start_bot, discord_server, caplog, ask
):
    caplog.set_level(logging.INFO, logger="adapters.discord")
    server = discord_server
    bot = await start_bot()
    await in_britain(bot, server, moderator_channel=str(server.alert_channel_id))
    refuse_interactions(server)
    server.closed_dms.add(ALICE)
    refuse_channel(server)

    await ask(server)
    alert = await server.wait_for_call(lambda call: call.path == f"/channels/{server.alert_channel_id}/messages")

    assert "imminent" in alert.content
    assert "could not be delivered" in alert.content, "moderators know nobody else has reached them"
    assert "pills" not in alert.content
    (failed,) = [record for record in caplog.records if NO_ROUTE in record.getMessage()]
    assert failed.levelno == logging.ERROR and "50013" in failed.getMessage()
    assert "pills" not in caplog.text, "codes only, never their words"


def refuse_replies(server):
    """Their message is gone (they deleted it), so Discord refuses a reply that references it."""
    server.refuse(
        lambda call: (
            call.path == f"/channels/{server.channel_id}/messages" and "message_reference" in (call.body or {})
        ),
        400,
        50035,
        "Invalid Form Body",
    )


async def test_with_dms_closed_and_their_message_deleted_the_lines_still_appear_in_the_channel(
    start_bot, discord_server
):
    bot = await start_bot()
    await in_britain(bot, discord_server)
    discord_server.closed_dms.add(ALICE)
    refuse_replies(discord_server)

    await discord_server.send_message(f"<@{BOT_ID}> {CRISIS_TEXT}", author=ALICE, mentions=(BOT_ID,))
    shown = await discord_server.wait_for_text(discord_server.channel_id, f"<@{ALICE}>")

    assert "999" in shown.content and "116 123" in shown.content
    assert "kill" not in shown.content and "automated bot, not a person" not in shown.content
    assert only_them(shown)


async def test_a_careful_public_reply_the_thread_refuses_reaches_them_by_dm(start_bot, discord_server):
    careful = Reply("That sounds heavy. I'm here with you.", level=Level.CONCERN)
    await start_bot(stages=[Scripted(careful)])
    dm = discord_server.dm_channel(ALICE)

    sent = await discord_server.send_message(
        f"<@{BOT_ID}> everything feels pointless", author=ALICE, mentions=(BOT_ID,)
    )
    discord_server.refuse(
        lambda call: call.path == f"/channels/{sent['id']}/messages", 403, 50013, "Missing Permissions"
    )

    await discord_server.wait_for_text(dm, careful.text)


async def test_a_crisis_dm_that_discord_refuses_is_logged_as_reaching_them_nowhere(start_bot, discord_server, caplog):
    caplog.set_level(logging.INFO, logger="adapters.discord")
    bot = await start_bot()
    dm = discord_server.dm_channel(ALICE)
    discord_server.refuse(lambda call: call.path == f"/channels/{dm}/messages", 503, 0, "Service Unavailable")

    await discord_server.send_message(CRISIS_TEXT, author=ALICE, guild=False)
    await discord_server.wait_until(lambda: bool(discord_server.refused))
    assert await bot.app.pipeline.drained(timeout=10)

    (failed,) = [record for record in caplog.records if NO_ROUTE in record.getMessage()]
    assert failed.levelno == logging.ERROR and "503" in failed.getMessage()
    assert "kill" not in caplog.text
