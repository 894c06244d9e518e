"""A person who writes to Hearth in Spanish, Dutch or Polish on Discord reads every line meant for them in that
language, the adapter's own words around the core's reply included: why a DM did not come, where help is,
how to hear from Hearth privately, the neutral notice, the buttons."""

from __future__ import annotations

from tests.discord.people import ALICE
from tests.discord.test_last_resort import only_them, refuse_interactions, refuse_replies
from tests.fakes.discord_server import BOT_ID

SPANISH_CRISIS = "quiero matarme, ya no puedo más"
ENGLISH = ("couldn't send", "DMs are closed", "To hear from me privately", "call ", "Talk to a person", "I'm Hearth")


async def in_country(bot, server, code):
    tenant = bot.app.ids("tenant", "discord", str(server.guild_id))
    await bot.app.communities.update(tenant, country=code)


def labels(call) -> list[str]:
    return [item.get("label", "") for row in call.components for item in row.get("components", [])]


async def test_a_spanish_speaker_whose_dms_are_closed_and_message_deleted_reads_the_last_resort_in_spanish(
    start_bot, discord_server
):
    bot = await start_bot()
    await in_country(bot, discord_server, "ES")
    discord_server.closed_dms.add(ALICE)
    refuse_replies(discord_server)

    await discord_server.send_message(f"<@{BOT_ID}> {SPANISH_CRISIS}", author=ALICE, mentions=(BOT_ID,))
    shown = await discord_server.wait_for_text(discord_server.channel_id, f"<@{ALICE}>")

    assert "No he podido enviarte un mensaje privado (tienes los mensajes directos cerrados)" in shown.content
    assert "llama al 024" in shown.content and "112" in shown.content, "Spain's line and emergency number"
    assert "Para recibir mis mensajes en privado" in shown.content and "/resources" in shown.content
    assert "Hablar con una persona" in labels(shown)
    assert not any(english in shown.content for english in ENGLISH), shown.content
    assert not any(english in label for label in labels(shown) for english in ENGLISH)
    assert "matarme" not in shown.content and "bot automático" not in shown.content, "never their words or reply"
    assert only_them(shown)


async def test_a_spanish_check_in_whose_interaction_expired_and_dm_is_closed_posts_the_lines_in_spanish(
    start_bot, discord_server
):
    bot = await start_bot()
    await in_country(bot, discord_server, "ES")
    refuse_interactions(discord_server)
    discord_server.closed_dms.add(ALICE)

    await discord_server.interact(user=ALICE, command="checkin", options={"mood": SPANISH_CRISIS})
    shown = await discord_server.wait_for_text(discord_server.channel_id, f"<@{ALICE}>")

    assert "tienes los mensajes directos cerrados" in shown.content and "llama al 024" in shown.content
    assert "Para recibir mis mensajes en privado" in shown.content
    assert not any(english in shown.content for english in ENGLISH), shown.content


async def test_when_the_dm_fails_the_public_fallback_in_the_thread_is_in_spanish(start_bot, discord_server):
    bot = await start_bot()
    await in_country(bot, discord_server, "ES")
    dm = discord_server.dm_channel(ALICE)
    discord_server.refuse(lambda call: call.path == f"/channels/{dm}/messages", 503, 0, "Service Unavailable")

    await discord_server.send_message(f"<@{BOT_ID}> {SPANISH_CRISIS}", author=ALICE, mentions=(BOT_ID,))
    public = await discord_server.wait_for_text(discord_server.channel_id, "024")

    assert "No he podido enviarte un mensaje privado (Discord tuvo un problema" in public.content
    assert "cerrados" not in public.content, "it does not blame closed DMs"
    assert not any(english in public.content for english in ENGLISH), public.content


async def test_a_dutch_crisis_in_a_channel_is_answered_in_dutch_by_dm_with_a_dutch_line_left_in_public(
    start_bot, discord_server
):
    bot = await start_bot()
    await in_country(bot, discord_server, "NL")
    dm = discord_server.dm_channel(ALICE)

    await discord_server.send_message(f"<@{BOT_ID}> ik wil dood, ik kan niet meer", author=ALICE, mentions=(BOT_ID,))
    crisis = await discord_server.wait_for_text(dm, "113")
    notice = await discord_server.wait_for_text(discord_server.channel_id, "Hearth")

    assert crisis.content.startswith("Ik ben echt blij") and "bel 113 / 0800-0113" in crisis.content
    assert "automatische bot, geen mens" in crisis.content
    assert labels(crisis)[:2] == ["Praat met een mens", "Toon hulplijnen"]
    assert notice.content == "Hearth heeft een privébericht gestuurd met steun en contactgegevens."


async def test_a_polish_discord_client_gets_the_crisis_lines_in_polish(start_bot, discord_server):
    bot = await start_bot()
    await in_country(bot, discord_server, "NL")

    press = await discord_server.interact(user=ALICE, command="resources", locale="pl")
    answer = await discord_server.wait_for_call(lambda call: press["token"] in call.path and bool(call.content))

    assert answer.content.startswith("Nie musisz przechodzić przez to w pojedynkę")
    assert "zadzwoń pod 113" in answer.content and "Porozmawiaj z człowiekiem" in labels(answer)


async def test_a_french_mention_opens_a_french_thread_and_asks_for_consent_in_french(
    start_bot, discord_server, fake_llm
):
    await start_bot(consent_required=True)
    start = len(discord_server.calls)

    sent = await discord_server.send_message(
        f"<@{BOT_ID}> Bonjour, j'ai une question sur mon travail et je ne sais pas quoi faire",
        author=ALICE,
        mentions=(BOT_ID,),
    )
    thread = int(sent["id"])
    asked = await discord_server.wait_for_text(thread, "/consent", start)

    opened = discord_server.calls_to("POST", f"/channels/{discord_server.channel_id}/messages/{thread}/threads", start)
    assert [call.body["name"] for call in opened] == ["Discussion avec Hearth"]
    assert asked.content.startswith("Salut, je suis Hearth, un bot automatique de soutien entre pairs")
    assert "Avant qu'on parle" in asked.content and "Before we talk" not in asked.content
    assert labels(asked) == ["J'ai compris, parlons"]
    assert fake_llm.requests == []


async def test_an_english_mention_still_opens_talking_with_hearth(start_bot, discord_server):
    await start_bot()
    start = len(discord_server.calls)

    sent = await discord_server.send_message(
        f"<@{BOT_ID}> can we talk? I had a long day", author=ALICE, mentions=(BOT_ID,)
    )
    thread = int(sent["id"])
    await discord_server.wait_for_call(lambda call: str(thread) in call.path and bool(call.content), start=start)

    opened = discord_server.calls_to("POST", f"/channels/{discord_server.channel_id}/messages/{thread}/threads", start)
    assert [call.body["name"] for call in opened] == ["Talking with Hearth"]


async def test_a_german_discord_client_reads_mydata_and_help_in_german(start_bot, discord_server):
    await start_bot()

    press = await discord_server.interact(user=ALICE, command="mydata", locale="de")
    mydata = await discord_server.wait_for_call(lambda call: press["token"] in call.path and bool(call.content))
    press = await discord_server.interact(user=ALICE, command="help", locale="de")
    shown = await discord_server.wait_for_call(lambda call: press["token"] in call.path and bool(call.content))

    assert mydata.content.startswith(("Ich habe gerade nichts über dich gespeichert", "Das ist alles, was ich"))
    assert "I'm holding nothing" not in mydata.content and "Here is everything" not in mydata.content
    assert shown.content.startswith("Das kann ich:") and "/forget: es jetzt löschen" in shown.content
