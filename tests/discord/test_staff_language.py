"""What Hearth writes to a server's moderators and admins, the alert and /hearth-config, is in the server's
language: the one an admin chose with /hearth-config, else the server's own (Discord's preferred locale), else
English. The person's own replies keep their language; the alert keeps its contract (a link and a level, never
their words)."""

from __future__ import annotations

from tests.discord.people import ALICE, BOB, ephemeral, no_pings
from tests.discord.test_interactions import callback_of
from tests.discord.test_last_resort import refuse_channel, refuse_interactions
from tests.fakes.discord_server import BOT_ID, MANAGE_GUILD, MEMBER_PERMISSIONS

IMMINENT_TEXT = "I have the pills ready tonight"
ENGLISH_ALERT = "Hearth alert (imminent): a member may need a person to check in with them."


def tenant_of(bot, server):
    return bot.app.ids("tenant", "discord", str(server.guild_id))


async def with_moderators(bot, server, **more):
    await bot.app.communities.update(
        tenant_of(bot, server),
        moderator_channel=str(server.alert_channel_id),
        moderator_role=str(server.moderator_role_id),
        **more,
    )


def alert_posted(server):
    return server.wait_for_call(lambda call: call.path == f"/channels/{server.alert_channel_id}/messages")


async def config(server, user=ALICE, permissions=MANAGE_GUILD, **options):
    interaction = await server.interact(user=user, command="hearth-config", options=options, permissions=permissions)
    return await callback_of(server, interaction)


async def test_a_server_whose_language_is_spanish_gets_the_alert_in_spanish_and_the_person_keeps_theirs(
    start_bot, discord_server
):
    server = discord_server
    bot = await start_bot()
    await with_moderators(bot, server, language="es")
    dm = server.dm_channel(ALICE)

    sent = await server.send_message(f"<@{BOT_ID}> {IMMINENT_TEXT}", author=ALICE, mentions=(BOT_ID,))
    alert = await alert_posted(server)
    reply = await server.wait_for_text(dm, "moderators know")

    link = f"https://discord.com/channels/{server.guild_id}/{server.channel_id}/{sent['id']}"
    assert alert.content.splitlines() == [
        f"<@&{server.moderator_role_id}>",
        "Aviso de Hearth (imminent): un miembro puede necesitar que alguien le escriba para ver cómo está.",
        f"Conversación: {link}",
    ]
    assert "pills" not in alert.content, "never their words"
    assert alert.allowed_mentions == {"parse": [], "roles": [server.moderator_role_id]}, "only the role is pinged"
    assert "Aviso" not in reply.content and no_pings(reply), "the person reads their own language, English"


async def test_with_no_language_set_a_german_server_gets_the_alert_in_german(start_bot, discord_server):
    server = discord_server
    server.preferred_locale = "de"
    bot = await start_bot()
    await with_moderators(bot, server)

    await server.interact(user=ALICE, command="checkin", options={"mood": IMMINENT_TEXT})
    alert = await alert_posted(server)

    assert alert.content.splitlines()[1:] == [
        "Hearth-Alarm (imminent): Ein Mitglied braucht vielleicht einen Menschen, der sich bei ihm meldet.",
        f"Mitglied: <@{ALICE}>, das in <#{server.channel_id}> einen von Hearths Befehlen benutzt hat. Die Antworten "
        "darauf sind privat, es gibt also keine Nachricht zum Öffnen: Wendet euch direkt an die Person.",
    ]
    assert "pills" not in alert.content


async def test_a_server_language_hearth_does_not_write_in_gets_the_alert_in_english(start_bot, discord_server):
    server = discord_server
    server.preferred_locale = "ja"
    bot = await start_bot()
    await with_moderators(bot, server)

    await server.send_message(f"<@{BOT_ID}> {IMMINENT_TEXT}", author=ALICE, mentions=(BOT_ID,))
    alert = await alert_posted(server)

    assert alert.content.splitlines()[1] == ENGLISH_ALERT


async def test_the_chosen_language_comes_before_the_servers_own(start_bot, discord_server):
    server = discord_server
    server.preferred_locale = "de"
    bot = await start_bot()
    await with_moderators(bot, server, language="fr")
    refuse_interactions(server)
    refuse_channel(server)
    server.closed_dms.add(ALICE)  # nothing reaches them: the moderators must know

    await server.interact(user=ALICE, command="checkin", options={"mood": IMMINENT_TEXT})
    alert = await alert_posted(server)

    assert alert.content.splitlines()[1].startswith("Alerte Hearth (imminent) : un membre a peut-être besoin")
    assert "La réponse de Hearth n'a pas pu être remise à cette personne" in alert.content
    assert "Hearth-Alarm" not in alert.content and "could not be delivered" not in alert.content


async def test_an_admin_sets_the_language_and_reads_the_settings_in_it_until_it_is_cleared(start_bot, discord_server):
    server = discord_server
    server.preferred_locale = "de"
    bot = await start_bot()

    chosen = await config(server, language="ES", country="mx")
    shown = await config(server)
    cleared = await config(server, language="clear")

    assert ephemeral(chosen) and no_pings(chosen)
    assert chosen.content.splitlines() == [
        "Ajustes de Hearth en este servidor:",
        "• País de las líneas de crisis: MX",
        "• Idioma de los avisos y los ajustes: Español (es)",
        "• Canales donde Hearth responde a todos los mensajes: ninguno (solo menciones y mensajes directos)",
        "• Canal de avisos para moderadores: sin definir",
        "• Rol de moderación que se menciona en los avisos: sin definir",
    ]
    assert shown.content == chosen.content, "the setting is kept, and shown"
    assert cleared.content.startswith("Hearths Einstellungen für diesen Server:")
    assert "• Sprache der Alarme und Einstellungen: nicht festgelegt (Deutsch (de), die Sprache des Servers)" in (
        cleared.content
    )
    assert "• Land für die Krisenlinien: MX" in cleared.content
    assert (await bot.app.communities.get(tenant_of(bot, server))).language is None


async def test_a_language_hearth_does_not_write_in_is_refused_in_the_servers_language(start_bot, discord_server):
    server = discord_server
    server.preferred_locale = "fr"
    bot = await start_bot()
    await bot.app.communities.update(tenant_of(bot, server), language="it")

    refused = await config(server, language="klingon", country="DE")

    assert refused.content == (
        "klingon non è una lingua in cui Hearth scrive. Scegline una tra de, en, es, fr, it, nl, pl, pt, oppure "
        "`clear` per toglierla. Non è stato cambiato nulla."
    )
    community = await bot.app.communities.get(tenant_of(bot, server))
    assert (community.language, community.country) == ("it", None), "nothing was changed"


async def test_a_member_without_manage_server_is_refused_in_the_servers_language(start_bot, discord_server):
    server = discord_server
    server.preferred_locale = "es-ES"
    bot = await start_bot()

    refused = await config(server, user=BOB, permissions=MEMBER_PERMISSIONS, language="de")

    assert refused.content == (
        "Solo los miembros con el permiso Gestionar servidor pueden cambiar aquí los ajustes de Hearth."
    )
    assert ephemeral(refused)
    assert (await bot.app.communities.get(tenant_of(bot, server))).language is None


async def test_an_english_server_with_no_language_set_reads_the_settings_in_english(start_bot, discord_server):
    await start_bot()

    shown = await config(discord_server, country="gb")

    assert shown.content.splitlines()[:3] == [
        "Hearth's settings for this server:",
        "• Country for crisis lines: GB",
        "• Language of alerts and settings: not set (English (en), the server's language)",
    ]
