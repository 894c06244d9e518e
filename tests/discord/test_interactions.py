"""Slash commands, buttons and /hearth-config, as Discord would have seen the bot answer them."""

from __future__ import annotations

import asyncio

from bot.commands import CORE_COMMANDS
from bot.models import Level, Reply
from tests.discord.conftest import Scripted
from tests.discord.people import ALICE, BOB, LLM_TEXT, ephemeral, no_pings
from tests.fakes.discord_server import APP_ID, MANAGE_GUILD, MEMBER_PERMISSIONS

HELPLINE = "findahelpline.com"


def callback_of(server, interaction):
    return server.wait_for_call(
        lambda call: call.path == f"/interactions/{interaction['id']}/{interaction['token']}/callback"
    )


async def test_the_cores_commands_and_hearth_config_are_registered_at_start_up(start_bot, discord_server):
    await start_bot()

    synced = discord_server.calls_to("PUT", "/commands")
    assert len(synced) == 1
    commands = {command["name"]: command for command in synced[0].body}
    assert set(commands) == {spec.name for spec in CORE_COMMANDS} | {"hearth-config"}
    assert commands["resources"]["options"][0]["name"] == "country"
    assert int(commands["hearth-config"]["default_member_permissions"]) == MANAGE_GUILD
    assert all(command["description"] for command in commands.values())


async def test_a_personal_slash_command_is_answered_ephemerally_and_a_general_one_publicly(start_bot, discord_server):
    await start_bot()

    mydata = await discord_server.interact(user=ALICE, command="mydata")
    about = await discord_server.interact(user=ALICE, command="about")
    personal = await callback_of(discord_server, mydata)
    general = await callback_of(discord_server, about)

    assert personal.query.get("with_response") in ("1", "true", "True")
    assert personal.body["type"] == 4 and ephemeral(personal)
    assert "hold" in personal.content  # "I'm holding nothing about you right now."
    assert "What I keep" in general.content and not ephemeral(general)
    assert no_pings(personal) and no_pings(general)


async def test_a_slash_command_argument_reaches_the_core(start_bot, discord_server):
    bot = await start_bot()

    resources = await discord_server.interact(user=ALICE, command="resources", options={"country": "gb"})
    answer = await callback_of(discord_server, resources)

    assert answer.content == bot.app.crisis.resources_reply("GB").text
    assert ephemeral(answer)


async def test_pressing_show_crisis_lines_reaches_the_core_and_answers_only_the_presser(start_bot, discord_server):
    await start_bot()

    press = await discord_server.interact(user=BOB, custom_id="hearth:resources")
    answer = await callback_of(discord_server, press)

    assert HELPLINE in answer.content
    assert ephemeral(answer), "someone else's button press is answered only to them"


async def test_hearth_config_refuses_a_member_without_manage_server_and_changes_nothing(start_bot, discord_server):
    bot = await start_bot()
    tenant = bot.app.ids("tenant", "discord", str(discord_server.guild_id))

    attempt = await discord_server.interact(
        user=BOB, command="hearth-config", options={"country": "DE"}, permissions=MEMBER_PERMISSIONS
    )
    answer = await callback_of(discord_server, attempt)

    assert "Manage Server" in answer.content and ephemeral(answer)
    assert (await bot.app.communities.get(tenant)).country is None


async def test_an_admin_configures_the_server_and_hearth_then_answers_in_the_enabled_channel(start_bot, discord_server):
    bot = await start_bot()
    server = discord_server
    options = {
        "country": "gb",
        "enable": (7, str(server.other_channel_id)),
        "alert_channel": (7, str(server.alert_channel_id)),
        "alert_role": (8, str(server.moderator_role_id)),
    }
    resolved = server.resolved(
        channels=(server.other_channel_id, server.alert_channel_id), roles=(server.moderator_role_id,)
    )

    config = await server.interact(
        user=ALICE, command="hearth-config", options=options, resolved=resolved, permissions=MANAGE_GUILD
    )
    answer = await callback_of(server, config)
    community = await bot.app.communities.get(bot.app.ids("tenant", "discord", str(server.guild_id)))

    assert ephemeral(answer) and "GB" in answer.content and no_pings(answer)
    assert community.country == "GB"
    assert community.enabled_channels == (str(server.other_channel_id),)
    assert community.moderator_channel == str(server.alert_channel_id)
    assert community.moderator_role == str(server.moderator_role_id)

    sent = await server.send_message("no mention needed here", author=BOB, channel_id=server.other_channel_id)
    await server.wait_for_text(int(sent["id"]), LLM_TEXT)


async def test_a_bad_country_is_refused_with_a_clear_message(start_bot, discord_server):
    bot = await start_bot()

    config = await discord_server.interact(
        user=ALICE, command="hearth-config", options={"country": "Narnia"}, permissions=MANAGE_GUILD
    )
    answer = await callback_of(discord_server, config)

    assert "I don't know that country" in answer.content and "Germany or DE" in answer.content and ephemeral(answer)
    assert (
        await bot.app.communities.get(bot.app.ids("tenant", "discord", str(discord_server.guild_id)))
    ).country is None


async def test_the_servers_country_can_be_set_by_its_name(start_bot, discord_server):
    bot = await start_bot()

    config = await discord_server.interact(
        user=ALICE, command="hearth-config", options={"country": "Deutschland"}, permissions=MANAGE_GUILD
    )
    answer = await callback_of(discord_server, config)

    assert "Country for crisis lines: DE" in answer.content and ephemeral(answer)
    assert (
        await bot.app.communities.get(bot.app.ids("tenant", "discord", str(discord_server.guild_id)))
    ).country == "DE"


async def test_two_letters_that_are_no_country_are_refused_and_the_servers_country_kept(start_bot, discord_server):
    bot = await start_bot()
    tenant = bot.app.ids("tenant", "discord", str(discord_server.guild_id))
    await bot.app.communities.update(tenant, country="DE")

    config = await discord_server.interact(
        user=ALICE, command="hearth-config", options={"country": "zz"}, permissions=MANAGE_GUILD
    )
    answer = await callback_of(discord_server, config)

    assert "ZZ is not a country code" in answer.content and "Nothing was changed" in answer.content
    assert (await bot.app.communities.get(tenant)).country == "DE"


class SlowCore:
    """Our pipeline port, scripted to take as long as the test wants."""

    name = "slow"

    def __init__(self):
        self.release = asyncio.Event()
        self.reply = Reply("Thank you for waiting.")

    async def run(self, turn):
        await self.release.wait()
        return self.reply


async def test_a_slow_answer_is_deferred_within_discords_3_seconds_then_followed_up(start_bot, discord_server):
    core = SlowCore()
    await start_bot(stages=[core], discord_defer_after=0.05)

    press = await discord_server.interact(user=ALICE, command="about")
    deferred = await callback_of(discord_server, press)
    core.release.set()
    follow_up = await discord_server.wait_for_call(
        lambda call: call.path.startswith(f"/webhooks/{APP_ID}/{press['token']}")
    )

    assert deferred.body["type"] == 5 and ephemeral(deferred), "'Hearth is thinking…', seen only by the asker"
    assert follow_up.content == "Thank you for waiting." and no_pings(follow_up)


async def test_a_press_the_core_answers_silently_is_still_acknowledged_without_a_message(start_bot, discord_server):
    bot = await start_bot(stages=[Scripted(Reply("", kind="folded"))])

    press = await discord_server.interact(user=ALICE, custom_id="hearth:resources")
    answer = await callback_of(discord_server, press)
    assert await bot.app.pipeline.drained(timeout=10)

    assert answer.body["type"] == 6, "acknowledged, so Discord does not show 'This interaction failed'"
    assert not discord_server.calls_to("POST", f"/webhooks/{APP_ID}/{press['token']}")


async def test_a_slash_command_the_core_answers_silently_leaves_no_thinking_message(start_bot, discord_server):
    bot = await start_bot(stages=[Scripted(Reply("", kind="duplicate"))])

    command = await discord_server.interact(user=ALICE, command="about")
    answer = await callback_of(discord_server, command)
    removed = await discord_server.wait_for_call(
        lambda call: call.method == "DELETE" and call.path.startswith(f"/webhooks/{APP_ID}/{command['token']}")
    )
    assert await bot.app.pipeline.drained(timeout=10)

    assert answer.body["type"] == 5 and ephemeral(answer)
    assert removed.path.endswith("/messages/@original")


async def test_when_the_interaction_can_no_longer_be_answered_the_crisis_lines_arrive_by_dm(start_bot, discord_server):
    await start_bot()
    discord_server.refuse(lambda call: call.path.startswith("/interactions/"), 404, 10062, "Unknown interaction")
    dm = discord_server.dm_channel(ALICE)

    await discord_server.interact(user=ALICE, custom_id="hearth:resources")
    private = await discord_server.wait_for_text(dm, HELPLINE)

    assert no_pings(private)
    assert private.custom_ids, "the buttons come along"
    assert all(f":{discord_server.guild_id}:" in custom_id for custom_id in private.custom_ids), "and keep the server"


async def test_when_the_follow_up_after_thinking_fails_the_answer_arrives_by_dm(start_bot, discord_server):
    core = SlowCore()
    core.reply = Reply("Thank you for waiting.", level=Level.URGENT, kind="crisis")
    await start_bot(stages=[core], discord_defer_after=0.05)
    # The token a follow-up needs has expired (Discord keeps it 15 minutes).
    discord_server.refuse(lambda call: call.path.startswith("/webhooks/"), 404, 10015, "Unknown Webhook")
    dm = discord_server.dm_channel(ALICE)

    press = await discord_server.interact(user=ALICE, command="about")
    await callback_of(discord_server, press)
    core.release.set()

    await discord_server.wait_for_text(dm, "Thank you for waiting.")
