"""Crisis messages and other private replies: answered without an LLM, moved out of public channels, and
never without the crisis lines, even when the user's DMs are closed."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.models import Action, Level, ModeratorAlert, Reply
from tests.discord.conftest import Scripted
from tests.discord.people import ALICE, CRISIS_TEXT, LLM_TEXT, ephemeral, no_pings
from tests.fakes.discord_server import APP_ID, BOT_ID

HELPLINE = "findahelpline.com"  # the crisis lines any country falls back to


async def test_a_crisis_dm_gets_the_deterministic_reply_with_buttons_and_no_llm_request(
    start_bot, discord_server, fake_llm
):
    await start_bot()
    dm = discord_server.dm_channel(ALICE)

    await discord_server.send_message(CRISIS_TEXT, author=ALICE, guild=False)
    reply = await discord_server.wait_for_text(dm, HELPLINE)

    assert "automated" in reply.content
    assert reply.custom_ids == ["hearth:handoff", "hearth:resources"]
    assert fake_llm.requests == []
    assert no_pings(reply)


def lines_of(app, country):
    return set(app.crisis.resources_reply(country).text.splitlines())


async def test_the_crisis_lines_are_those_of_the_country_an_admin_set(start_bot, discord_server):
    bot = await start_bot()
    british, american = lines_of(bot.app, "GB"), lines_of(bot.app, "US")
    if british == american:
        pytest.skip("the core gives no country-specific crisis lines yet (the crisis issue brings them)")
    tenant = bot.app.ids("tenant", "discord", str(discord_server.guild_id))
    await bot.app.communities.update(tenant, country="GB")
    dm = discord_server.dm_channel(ALICE)

    await discord_server.send_message(f"<@{BOT_ID}> {CRISIS_TEXT}", author=ALICE, mentions=(BOT_ID,))
    reply = await discord_server.wait_for_call(lambda call: call.path == f"/channels/{dm}/messages")
    shown = set(reply.content.splitlines())

    assert (british - american) & shown, "the British lines are given"
    assert not (american - british) & shown, "no American line is given"


async def test_a_crisis_in_a_public_channel_is_answered_by_dm_leaving_only_a_neutral_line(
    start_bot, discord_server, fake_llm
):
    await start_bot()
    channel = discord_server.channel_id
    dm = discord_server.dm_channel(ALICE)

    sent = await discord_server.send_message(f"<@{BOT_ID}> {CRISIS_TEXT}", author=ALICE, mentions=(BOT_ID,))
    private = await discord_server.wait_for_text(dm, HELPLINE)
    public = await discord_server.wait_for_call(lambda call: call.path == f"/channels/{channel}/messages")

    assert "automated" in private.content
    assert str(public.body["message_reference"]["message_id"]) == sent["id"]
    assert HELPLINE not in public.content and "kill" not in public.content
    assert len(public.content) < 100
    assert discord_server.calls_to("POST", "/threads") == [], "no thread is opened for a private reply"
    assert fake_llm.requests == []
    assert no_pings(public) and no_pings(private)


async def test_when_dms_are_closed_the_public_reply_still_carries_the_crisis_lines(start_bot, discord_server):
    await start_bot()
    discord_server.closed_dms.add(ALICE)
    channel = discord_server.channel_id

    await discord_server.send_message(f"<@{BOT_ID}> {CRISIS_TEXT}", author=ALICE, mentions=(BOT_ID,))
    public = await discord_server.wait_for_text(channel, HELPLINE)

    assert "DMs are closed" in public.content
    assert "kill" not in public.content
    assert "automated bot, not a person" not in public.content, "the private reply itself stays private"
    assert "hearth:resources" in public.custom_ids


async def test_the_cores_public_notice_is_used_and_moderators_get_a_link_pinging_only_their_role(
    start_bot, discord_server
):
    alert = ModeratorAlert(tenant="t", level=Level.IMMINENT, link="https://discord.com/channels/1/2/3")
    answer = Reply(
        "Private words for you.",
        private=True,
        level=Level.IMMINENT,
        public_notice="Hearth replied privately.",
        alert=alert,
    )
    bot = await start_bot(stages=[Scripted(answer)])
    tenant = bot.app.ids("tenant", "discord", str(discord_server.guild_id))
    await bot.app.communities.update(
        tenant,
        moderator_channel=str(discord_server.alert_channel_id),
        moderator_role=str(discord_server.moderator_role_id),
    )
    channel = discord_server.channel_id

    await discord_server.send_message(f"<@{BOT_ID}> nobody else may know this", author=ALICE, mentions=(BOT_ID,))
    posted = await discord_server.wait_for_call(
        lambda call: call.path == f"/channels/{discord_server.alert_channel_id}/messages"
    )
    public = await discord_server.wait_for_call(lambda call: call.path == f"/channels/{channel}/messages")

    assert public.content == "Hearth replied privately."
    assert alert.link in posted.content and "imminent" in posted.content
    assert "nobody" not in posted.content, "moderators get a link, not the words"
    assert f"<@&{discord_server.moderator_role_id}>" in posted.content
    assert posted.allowed_mentions == {"parse": [], "roles": [discord_server.moderator_role_id]}


async def test_with_redis_down_a_crisis_mention_is_still_answered_privately(start_bot, discord_server, tmp_path):
    unreachable = Redis.from_url(f"unix://{tmp_path}/no-redis.sock", socket_connect_timeout=0.2)
    try:
        await start_bot(redis_client=unreachable)
        dm = discord_server.dm_channel(ALICE)

        await discord_server.send_message(f"<@{BOT_ID}> {CRISIS_TEXT}", author=ALICE, mentions=(BOT_ID,))
        private = await discord_server.wait_for_text(dm, HELPLINE)
        public = await discord_server.wait_for_call(
            lambda call: call.path == f"/channels/{discord_server.channel_id}/messages"
        )
    finally:
        await unreachable.aclose()

    assert "automated" in private.content
    assert HELPLINE not in public.content


async def test_a_personal_answer_with_dms_closed_is_not_posted_in_public(start_bot, discord_server):
    await start_bot()
    discord_server.closed_dms.add(ALICE)

    await discord_server.send_message(f"<@{BOT_ID}> /mydata", author=ALICE, mentions=(BOT_ID,))
    public = await discord_server.wait_for_text(discord_server.channel_id, "DMs are closed")

    assert "/mydata" in public.content, "it points to the private way of asking"
    assert "holding" not in public.content and HELPLINE not in public.content


class HandoffCore:
    """Our pipeline port, scripted: a private crisis-like reply with a handoff button, and a handoff that
    alerts moderators with whatever link the adapter gave the core."""

    name = "handoff"

    def __init__(self):
        self.seen = []

    async def run(self, turn):
        self.seen.append(turn.msg)
        if turn.msg.action == "handoff":
            alert = ModeratorAlert(turn.msg.tenant, Level.URGENT, turn.msg.link, undelivered=UNDELIVERED)
            share = (Action("handoff_share", "Share a summary"),)
            return Reply("I've let the moderators know.", share, private=True, kind="handoff", alert=alert)
        return Reply("Private support.", actions=(Action("handoff", "Talk to a person"),), private=True, kind="crisis")


async def test_talk_to_a_person_pressed_in_the_dm_reaches_the_servers_moderators(start_bot, discord_server):
    core = HandoffCore()
    bot = await start_bot(stages=[core])
    server = discord_server
    tenant = bot.app.ids("tenant", "discord", str(server.guild_id))
    await bot.app.communities.update(tenant, moderator_channel=str(server.alert_channel_id))
    dm = server.dm_channel(ALICE)

    sent = await server.send_message(f"<@{BOT_ID}> it's all too much", author=ALICE, mentions=(BOT_ID,))
    private = await server.wait_for_text(dm, "Private support.")
    (button,) = private.custom_ids
    press = await server.interact(user=ALICE, custom_id=button, guild=False, channel_id=dm)
    alert = await server.wait_for_call(lambda call: call.path == f"/channels/{server.alert_channel_id}/messages")

    link = f"https://discord.com/channels/{server.guild_id}/{server.channel_id}/{sent['id']}"
    assert link in alert.content, "moderators get the link to the message in their server, not to a DM"
    first, pressed = core.seen
    assert (pressed.tenant, pressed.conversation, pressed.action) == (tenant, first.conversation, "handoff")
    answer = await server.wait_for_call(lambda call: call.path.startswith(f"/interactions/{press['id']}/"))
    assert "moderators know" in answer.content
    assert answer.custom_ids == [button.replace("handoff", "handoff_share")], "later buttons keep the server too"


async def test_an_alert_from_a_slash_command_names_the_member_since_there_is_no_message_to_open(
    start_bot, discord_server
):
    server = discord_server
    bot = await start_bot()
    tenant = bot.app.ids("tenant", "discord", str(server.guild_id))
    await bot.app.communities.update(
        tenant, moderator_channel=str(server.alert_channel_id), moderator_role=str(server.moderator_role_id)
    )

    await server.interact(user=ALICE, command="checkin", options={"mood": "I have the pills ready tonight"})
    alert = await server.wait_for_call(lambda call: call.path == f"/channels/{server.alert_channel_id}/messages")

    assert f"<@{ALICE}>" in alert.content and f"<#{server.channel_id}>" in alert.content, "whom to reach, and where"
    assert "no link available" not in alert.content
    assert "pills" not in alert.content, "never their words"
    assert alert.allowed_mentions == {"parse": [], "roles": [server.moderator_role_id]}, "only the role is pinged"


UNDELIVERED = "My message to the moderators didn't get through, so please don't wait for them. Call 999 now."


def refuse_alerts(server):
    server.refuse(lambda call: call.path == f"/channels/{server.alert_channel_id}/messages")


async def configure_moderators(bot, server):
    tenant = bot.app.ids("tenant", "discord", str(server.guild_id))
    await bot.app.communities.update(tenant, moderator_channel=str(server.alert_channel_id))


async def test_when_discord_refuses_the_alert_the_person_is_told_by_dm_not_to_wait_for_moderators(
    start_bot, discord_server
):
    alert = ModeratorAlert(tenant="t", level=Level.IMMINENT, link="https://x", undelivered=UNDELIVERED)
    answer = Reply("I've let the moderators know.", private=True, level=Level.IMMINENT, kind="crisis", alert=alert)
    bot = await start_bot(stages=[Scripted(answer)])
    await configure_moderators(bot, discord_server)
    refuse_alerts(discord_server)  # e.g. the bot was never given access to the moderators' channel
    dm = discord_server.dm_channel(ALICE)

    await discord_server.send_message(f"<@{BOT_ID}> it's tonight", author=ALICE, mentions=(BOT_ID,))
    told = await discord_server.wait_for_text(dm, UNDELIVERED)

    assert [call.content for call in discord_server.sent_to(dm)] == ["I've let the moderators know.", UNDELIVERED]
    assert discord_server.refused, "the alert was attempted"
    assert UNDELIVERED not in " ".join(call.content for call in discord_server.sent_to(discord_server.channel_id))
    assert no_pings(told)


async def test_when_the_alert_after_talk_to_a_person_is_refused_the_presser_is_told_ephemerally(
    start_bot, discord_server
):
    core = HandoffCore()
    bot = await start_bot(stages=[core])
    await configure_moderators(bot, discord_server)
    refuse_alerts(discord_server)

    press = await discord_server.interact(user=ALICE, custom_id="hearth:handoff")
    told = await discord_server.wait_for_call(
        lambda call: call.path.startswith(f"/webhooks/{APP_ID}/{press['token']}") and "wait for" in call.content
    )

    assert told.content == UNDELIVERED and ephemeral(told) and no_pings(told)


async def test_when_a_dm_fails_for_another_reason_the_public_reply_does_not_blame_closed_dms(start_bot, discord_server):
    await start_bot()
    dm = discord_server.dm_channel(ALICE)
    discord_server.refuse(lambda call: call.path == f"/channels/{dm}/messages", 503, 0, "Service Unavailable")
    channel = discord_server.channel_id

    await discord_server.send_message(f"<@{BOT_ID}> {CRISIS_TEXT}", author=ALICE, mentions=(BOT_ID,))
    public = await discord_server.wait_for_text(channel, HELPLINE)

    assert "closed" not in public.content
    assert "couldn't send you a private message" in public.content
    assert "kill" not in public.content and "automated bot, not a person" not in public.content
    assert "hearth:resources" in public.custom_ids


async def test_with_the_real_core_an_imminent_crisis_whose_alert_is_refused_gets_the_cores_words(
    start_bot, discord_server
):
    bot = await start_bot()
    await configure_moderators(bot, discord_server)
    refuse_alerts(discord_server)
    dm = discord_server.dm_channel(ALICE)

    await discord_server.send_message(f"<@{BOT_ID}> I have the pills ready tonight", author=ALICE, mentions=(BOT_ID,))
    told = await discord_server.wait_for_text(dm, "don't wait for them")
    first = discord_server.sent_to(dm)[0]

    assert "moderators know" in first.content, "the reply they read first says the moderators were told"
    assert told is not first and "call" in told.content and no_pings(told)


async def test_talk_to_a_person_pressed_in_a_dm_after_hearth_left_that_server_says_the_alert_did_not_arrive(
    start_bot, discord_server
):
    bot = await start_bot(stages=[HandoffCore()])
    gone = discord_server.guild_id + 99  # a server Hearth was removed from after it DM'd this reply
    tenant = bot.app.ids("tenant", "discord", str(gone))
    await bot.app.communities.update(tenant, moderator_channel=str(discord_server.alert_channel_id))
    dm = discord_server.dm_channel(ALICE)

    button = f"hearth:handoff:{gone}:{discord_server.channel_id}:{discord_server.new_id()}:m"
    press = await discord_server.interact(user=ALICE, custom_id=button, guild=False, channel_id=dm)
    told = await discord_server.wait_for_call(
        lambda call: call.path.startswith(f"/webhooks/{APP_ID}/{press['token']}") and "wait for" in call.content
    )

    assert told.content == UNDELIVERED and no_pings(told)
    assert not discord_server.calls_to("POST", f"/channels/{discord_server.alert_channel_id}/messages")


def edited(message: dict, content: str) -> dict:
    """The MESSAGE_UPDATE Discord sends when the person edits `message`: the whole message, now with a time of edit."""
    return {**message, "content": content, "edited_timestamp": "2026-01-01T00:05:00.000000+00:00"}


async def answered_dm(discord_server, text: str) -> tuple[int, dict, int]:
    """Alice's DM `text`, once Hearth has answered it: the DM channel, the message, and the calls made so far."""
    dm = discord_server.dm_channel(ALICE)
    sent = await discord_server.send_message(text, author=ALICE, guild=False)
    await discord_server.wait_for_call(lambda call: call.path == f"/channels/{dm}/messages")
    return dm, sent, len(discord_server.calls)


async def test_a_crisis_added_by_editing_a_dm_gets_the_crisis_reply(start_bot, discord_server, fake_llm):
    # "i dont know what to do" was answered; then the person edits it to say what is really happening. Discord
    # sends that as MESSAGE_UPDATE, not as a new message: it must not go unheard.
    await start_bot()
    dm, sent, start = await answered_dm(discord_server, "i dont know what to do")

    await discord_server.dispatch("MESSAGE_UPDATE", edited(sent, f"i dont know what to do. {CRISIS_TEXT}"))
    reply = await discord_server.wait_for_text(dm, HELPLINE, start)

    assert "automated" in reply.content and reply.custom_ids == ["hearth:handoff", "hearth:resources"]
    assert len(fake_llm.requests) == 1, "the crisis reply needs no LLM"


async def test_a_crisis_added_by_editing_a_mention_is_answered_by_dm_with_a_neutral_line(start_bot, discord_server):
    await start_bot()
    channel, dm = discord_server.channel_id, discord_server.dm_channel(ALICE)
    sent = discord_server.message(f"<@{BOT_ID}> rough night", author=ALICE, mentions=(BOT_ID,))
    start = len(discord_server.calls)

    await discord_server.dispatch("MESSAGE_UPDATE", edited(sent, f"<@{BOT_ID}> rough night. {CRISIS_TEXT}"))
    await discord_server.wait_for_text(dm, HELPLINE, start)
    await discord_server.wait_for_call(lambda call: call.path == f"/channels/{channel}/messages", start=start)

    public = discord_server.sent_to(channel, start)
    assert public and all("kill" not in call.content and HELPLINE not in call.content for call in public)


async def test_an_edit_that_is_no_crisis_gets_no_second_answer(start_bot, discord_server, fake_llm):
    # A typo fixed, or a sentence added, was answered once already: the LLM is not asked again.
    await start_bot()
    dm, sent, start = await answered_dm(discord_server, "i had a rough dya")

    await discord_server.dispatch("MESSAGE_UPDATE", edited(sent, "i had a rough day"))
    # A later message is answered; by then the edit has long been handled.
    await discord_server.send_message("hello", author=ALICE, guild=False)
    await discord_server.wait_for_call(lambda call: call.path == f"/channels/{dm}/messages", start=start)
    await discord_server.wait_until(lambda: len(fake_llm.requests) == 2)

    assert len(discord_server.sent_to(dm, start)) == 1
    assert [request["messages"][-1]["content"] for request in fake_llm.requests] == ["i had a rough dya", "hello"]


async def test_the_same_edit_sent_again_is_answered_once(start_bot, discord_server):
    # Discord sends a message again when it changes around it (a pin, a link's preview), with the same time of
    # edit: that is no new edit, and a second crisis reply to it would only repeat the first.
    await start_bot()
    dm = discord_server.dm_channel(ALICE)
    sent = discord_server.message("rough night", author=ALICE, guild=False)
    update = edited(sent, f"rough night. {CRISIS_TEXT}")
    start = len(discord_server.calls)

    await discord_server.dispatch("MESSAGE_UPDATE", update)
    await discord_server.wait_for_text(dm, HELPLINE, start)
    await discord_server.dispatch("MESSAGE_UPDATE", {**update, "pinned": True})
    await discord_server.send_message("hello", author=ALICE, guild=False)
    await discord_server.wait_until(lambda: len(discord_server.sent_to(dm, start)) >= 2)
    await discord_server.wait_for_call(lambda call: call.path == f"/channels/{dm}/messages", start=start)

    assert [HELPLINE in call.content for call in discord_server.sent_to(dm, start)] == [True, False]


async def test_after_a_crisis_told_in_a_server_the_dm_it_was_answered_in_stays_in_crisis_mode(
    start_bot, discord_server, fake_llm
):
    # The crisis reply was moved to the person's DM to protect the channel; that DM is where they answer it. Their
    # "ok" there must reach the LLM with the crisis prompt, and the crisis lines stay one press away.
    await start_bot()
    dm = discord_server.dm_channel(ALICE)
    await discord_server.send_message(f"<@{BOT_ID}> {CRISIS_TEXT}", author=ALICE, mentions=(BOT_ID,))
    await discord_server.wait_for_text(dm, HELPLINE)
    start = len(discord_server.calls)

    await discord_server.send_message("ok", author=ALICE, guild=False)
    await discord_server.wait_until(lambda: len(fake_llm.requests) == 1)
    reply = await discord_server.wait_for_call(
        lambda call: call.path.startswith(f"/channels/{dm}/messages") and "hearth:resources" in call.custom_ids,
        start=start,
    )

    assert "Mode: after a crisis" in fake_llm.requests[0]["messages"][0]["content"]
    assert reply.custom_ids == ["hearth:resources"]


async def test_after_a_crisis_the_next_reply_has_talk_to_a_person_beside_the_crisis_lines(start_bot, discord_server):
    bot = await start_bot()
    tenant = bot.app.ids("tenant", "discord", str(discord_server.guild_id))
    await bot.app.communities.update(tenant, moderator_channel=str(discord_server.alert_channel_id))
    dm = discord_server.dm_channel(ALICE)
    await discord_server.send_message(f"<@{BOT_ID}> {CRISIS_TEXT}", author=ALICE, mentions=(BOT_ID,))
    await discord_server.wait_for_text(dm, HELPLINE)
    start = len(discord_server.calls)

    await discord_server.send_message(f"<@{BOT_ID}> thanks, it helps to say it", author=ALICE, mentions=(BOT_ID,))
    reply = await discord_server.wait_for_call(
        lambda call: LLM_TEXT in call.content and bool(call.custom_ids), start=start
    )

    assert reply.custom_ids == ["hearth:handoff", "hearth:resources"]
    labels = [item["label"] for row in reply.components for item in row["components"]]
    assert labels == ["Talk to a person", "Show crisis lines"]


async def test_talk_to_a_person_pressed_twice_in_the_dm_alerts_the_moderators_once(start_bot, discord_server):
    server = discord_server
    bot = await start_bot()
    await configure_moderators(bot, server)
    dm = server.dm_channel(ALICE)
    await server.send_message(f"<@{BOT_ID}> {CRISIS_TEXT}", author=ALICE, mentions=(BOT_ID,))
    crisis = await server.wait_for_text(dm, HELPLINE)
    handoff = next(custom_id for custom_id in crisis.custom_ids if custom_id.startswith("hearth:handoff"))

    await server.interact(user=ALICE, custom_id=handoff, guild=False, channel_id=dm)
    await server.wait_for_call(lambda call: call.path == f"/channels/{server.alert_channel_id}/messages")
    second = await server.interact(user=ALICE, custom_id=handoff, guild=False, channel_id=dm)
    answer = await server.wait_for_call(lambda call: call.path.startswith(f"/interactions/{second['id']}/"))

    assert "already let this community's moderators know just now" in answer.content and HELPLINE in answer.content
    assert len(server.calls_to("POST", f"/channels/{server.alert_channel_id}/messages")) == 1
