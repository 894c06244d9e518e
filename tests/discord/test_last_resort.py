"""When Discord refuses every private route for a reply touching distress, the person still sees the crisis
lines: in the channel where they were, mentioning only them, never with their words. When even that is refused,
one line with codes only is logged, and the moderators' alert says the reply did not arrive."""

from __future__ import annotations

import logging

import pytest

from tests.discord.people import ALICE, CRISIS_TEXT

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


@pytest.mark.parametrize("ask", [by_command])
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
