"""HTTP mode: Slack posts signed requests to /slack/events; Bolt verifies them and Hearth answers via the Web API."""

from __future__ import annotations

import time

from tests.fakes.openai_server import Script
from tests.fakes.slack_server import BOT_USER
from tests.slack.conftest import ALICE, ALICE_DM, CHANNEL, button, command, dm, edit, mention, without_redis
from tests.slack.helpers import action_ids, core_crisis_text, streamed_to, text_of

CRISIS = "I want to kill myself tonight"


async def test_a_dm_gets_a_streamed_reply(http, slack, fake_llm):
    said = "I hear you. That sounds like a heavy week to carry."
    fake_llm.push(Script(text=said, chunk_delay=0.02))

    status, _ = await http.event(dm("I've had a rough week"))

    assert status == 200
    final = await streamed_to(slack, said)
    first = slack.called("chat.postMessage")[0]
    assert first["channel"] == ALICE_DM
    assert final["ts"] and final["channel"] == ALICE_DM
    assert said in text_of(final)
    assert said.startswith(text_of(first)) and text_of(first) != said
    assert len(slack.called("chat.postMessage")) == 1
    assert len(fake_llm.requests) == 1


async def test_a_mention_gets_a_reply_in_its_thread_without_anyones_ids(http, slack, fake_llm):
    fake_llm.push(Script(text="That's a kind thing to ask about."))
    body = mention("how do I support <@U0BOB> this week?")

    await http.event(body)

    final = await streamed_to(slack, "ask about.")
    first = slack.called("chat.postMessage")[0]
    assert first["channel"] == CHANNEL
    assert first["thread_ts"] == body["event"]["ts"]
    assert "kind thing" in text_of(final)
    user_turn = fake_llm.requests[0]["messages"][-1]["content"]
    assert user_turn == "how do I support @someone this week?"
    assert BOT_USER not in user_turn


async def test_nothing_hearth_posts_can_ping_anyone(http, slack, fake_llm):
    fake_llm.push(Script(text="Hey <!channel> and @here, say hi to <@U0BOB> & friends"))

    await http.event(mention("hello"))

    final = await streamed_to(slack, "friends")
    shown = text_of(final) + final["text"]
    assert "<!channel>" not in shown and "<@U0BOB>" not in shown
    assert "&lt;!channel&gt;" in text_of(final)
    assert all(call.get("link_names") in (False, "0", "false", None) for call in slack.called("chat.postMessage"))


async def test_a_crisis_mention_is_answered_privately_with_the_workspace_countrys_lines(http, slack, fake_llm, hearth):
    slack.admins.add(ALICE)
    await http.command(command("config country GB", slack))
    await slack.wait_for(lambda: slack.responses)
    body = mention(CRISIS)

    await http.event(body)

    await slack.wait_for(lambda: slack.called("chat.postEphemeral") and len(slack.called("chat.postMessage")) >= 1)
    await slack.settle()
    ephemeral = slack.called("chat.postEphemeral")[0]
    assert ephemeral["user"] == ALICE and ephemeral["channel"] == CHANNEL
    assert ephemeral["thread_ts"] == body["event"]["ts"]
    expected = core_crisis_text(hearth, "GB")
    assert text_of(ephemeral) == expected
    dms = [call for call in slack.called("chat.postMessage") if call["channel"].startswith("D")]
    assert slack.called("conversations.open")[0]["users"] == ALICE
    assert text_of(dms[0]) == expected
    public = [call for call in slack.called("chat.postMessage") if call["channel"] == CHANNEL]
    assert all(expected not in text_of(call) and "kill" not in text_of(call) for call in public)
    assert fake_llm.requests == []


async def test_a_crisis_dm_is_answered_in_the_dm_without_the_llm(http, slack, fake_llm, hearth):
    await http.event(dm(CRISIS))

    await slack.wait_for(lambda: slack.called("chat.postMessage"))
    reply = slack.called("chat.postMessage")[0]
    assert reply["channel"] == ALICE_DM
    assert text_of(reply) == core_crisis_text(hearth, None)
    assert "hearth:resources" in action_ids(reply)
    assert fake_llm.requests == []


async def test_the_slash_command_is_acked_before_the_answer_and_answered_ephemerally(http, slack, fake_llm):
    fake_llm.push(Script(text="Thank you for telling me.", delay=0.5))

    status, body = await http.command(command("I feel low today", slack))

    assert status == 200 and body == ""
    assert slack.responses == []
    answer = (await slack.wait_for(lambda: slack.responses))[0]
    assert answer["response_type"] == "ephemeral"
    assert "Thank you for telling me." in text_of(answer)


async def test_slash_subcommands_reach_the_core(http, slack, hearth):
    await http.command(command("resources", slack))

    answer = (await slack.wait_for(lambda: slack.responses))[0]
    assert answer["response_type"] == "ephemeral"
    assert "findahelpline.com" in text_of(answer)


async def test_workspace_settings_are_for_admins_only(http, slack, hearth):
    await http.command(command("config moderators <#C0CHAMPS|champions>", slack, user="U0BOB"))
    refused = (await slack.wait_for(lambda: slack.responses))[0]
    slack.admins.add(ALICE)
    await http.command(command("config moderators <#C0CHAMPS|champions>", slack))
    await slack.wait_for(lambda: len(slack.responses) > 1)
    saved = slack.responses[1]

    assert "Only workspace admins" in refused["text"]
    assert "Saved" in saved["text"] and "<#C0CHAMPS>" in saved["text"]
    tenant = hearth.ids("tenant", "slack", "T0TEST")
    assert (await hearth.communities.get(tenant)).moderator_channel == "C0CHAMPS"


async def test_a_button_press_reaches_the_core(http, slack, hearth, fake_llm):
    status, _ = await http.interaction(button("hearth:resources"))

    assert status == 200
    reply = (await slack.wait_for(lambda: slack.called("chat.postMessage")))[0]
    assert reply["channel"] == ALICE_DM
    assert text_of(reply) == text_of({"blocks": [{"type": "section", "text": {"text": _resources(hearth)}}]})
    assert fake_llm.requests == []


async def test_an_app_home_button_answers_by_dm(http, slack):
    await http.interaction(button("hearth:cmd:mydata", channel=None, view="home"))

    reply = (await slack.wait_for(lambda: slack.called("chat.postMessage")))[0]
    assert slack.called("conversations.open")[0]["users"] == ALICE
    assert reply["channel"].startswith("D")
    assert "holding nothing" in text_of(reply)


async def test_app_home_is_published_with_the_crisis_lines(http, slack, hearth):
    home = {"type": "app_home_opened", "user": ALICE, "channel": ALICE_DM, "tab": "home", "event_ts": "1.2"}
    from tests.slack.conftest import event_body

    await http.event(event_body(home))

    published = (await slack.wait_for(lambda: slack.called("views.publish")))[0]
    assert published["user_id"] == ALICE
    view = published["view"]
    assert view["type"] == "home"
    assert _resources(hearth) in text_of(view)
    assert "automated" in text_of(view)
    assert "hearth:resources" in action_ids(view)


async def test_a_bad_or_stale_signature_is_rejected(http, slack):
    bad, _ = await http.event(dm("hello"), signature="v0=" + "0" * 64)
    stale, _ = await http.event(dm("hello"), timestamp=int(time.time()) - 600)

    assert (bad, stale) == (401, 401)
    await slack.settle()
    assert slack.calls == [] or all(call.method == "auth.test" for call in slack.calls)


async def test_a_retried_event_is_answered_once(http, slack, fake_llm):
    body = dm("are you there?")

    await http.event(body)
    await slack.wait_for(lambda: slack.called("chat.postMessage"))
    await http.event(body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    await slack.settle()

    assert len(slack.called("chat.postMessage")) == 1
    assert len(fake_llm.requests) == 1


async def test_bots_edits_and_joins_are_ignored(http, slack, fake_llm):
    await http.event(dm("from a bot", bot_id="B0OTHER"))
    await http.event(dm("edited", subtype="message_changed"))
    await http.event(dm("joined", subtype="channel_join"))
    await slack.settle()

    assert [call for call in slack.calls if call.method != "auth.test"] == []
    assert fake_llm.requests == []


def _resources(hearth) -> str:
    from adapters.slack.blocks import mrkdwn

    return mrkdwn(hearth.crisis.resources_reply(None).text)


def channel_message(text: str, channel: str = CHANNEL, **extra):
    body = dm(text, channel=channel, **extra)
    body["event"]["channel_type"] = "channel"
    return body


async def test_enabled_channels_are_answered_in_threads_without_a_mention(http, slack, fake_llm):
    slack.admins.add(ALICE)
    await http.command(command(f"config enable <#{CHANNEL}|general>", slack))
    await slack.wait_for(lambda: slack.responses)
    body = channel_message("anyone else finding this week hard?")

    await http.event(body)
    await http.event(channel_message("and in another channel", channel="C0RANDOM"))
    await http.event(channel_message(f"<@{BOT_USER}> a mention arrives as app_mention too"))

    await slack.wait_for(lambda: slack.called("chat.update"))
    await slack.settle()
    posts = slack.called("chat.postMessage")
    assert [(call["channel"], call["thread_ts"]) for call in posts] == [(CHANNEL, body["event"]["ts"])]
    assert len(fake_llm.requests) == 1


async def test_a_crisis_through_the_slash_command_is_ephemeral_with_a_dm_copy(http, slack, fake_llm, hearth):
    await http.command(command(CRISIS, slack))

    answer = (await slack.wait_for(lambda: slack.responses))[0]
    dm_copy = (await slack.wait_for(lambda: slack.called("chat.postMessage")))[0]
    assert answer["response_type"] == "ephemeral"
    assert text_of(answer) == text_of(dm_copy) == core_crisis_text(hearth, None)
    assert dm_copy["channel"].startswith("D")
    assert fake_llm.requests == []


async def test_the_health_check_answers_for_load_balancers(http):
    async with http.session.get(http.url.replace("/slack/events", "/healthz")) as response:
        assert response.status == 200


async def test_a_retry_of_an_event_whose_answer_failed_is_answered(http, slack, hearth):
    body = dm(CRISIS)
    slack.failing["chat.postMessage"] = "internal_error"
    await http.event(body)
    await slack.wait_for(lambda: slack.called("chat.postMessage"))
    await slack.settle()
    del slack.failing["chat.postMessage"]

    await http.event(body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})

    await slack.wait_for(lambda: len(slack.called("chat.postMessage")) == 2)
    assert text_of(slack.called("chat.postMessage")[1]) == core_crisis_text(hearth, None)


async def test_app_home_shows_the_lines_for_the_country_an_admin_set(http, slack, hearth):
    from adapters.slack.blocks import mrkdwn
    from tests.slack.conftest import event_body

    slack.admins.add(ALICE)
    await http.command(command("config country NZ", slack))
    await slack.wait_for(lambda: slack.responses)

    await http.event(event_body({"type": "app_home_opened", "user": ALICE, "tab": "home", "event_ts": "1.2"}))

    view = (await slack.wait_for(lambda: slack.called("views.publish")))[0]["view"]
    headers = [block["text"]["text"] for block in view["blocks"] if block["type"] == "header"]
    assert "Crisis lines (NZ)" in headers
    assert mrkdwn(hearth.crisis.resources_reply("NZ").text) in text_of(view)


async def test_with_redis_down_a_crisis_mention_still_gets_the_lines(slack, fake_llm, settings_overrides, tmp_path):
    slack.failing["chat.postEphemeral"] = "user_not_in_channel"
    slack.failing["conversations.open"] = "cannot_dm_bot"
    async with without_redis(slack, fake_llm, settings_overrides, tmp_path) as (http, app):
        await http.event(mention(CRISIS))
        posted = await slack.wait_for(lambda: slack.called("chat.postMessage"))

    assert posted[0]["channel"] == CHANNEL
    assert _resources(app) in text_of(posted[0])
    assert "kill" not in text_of(posted[0])
    assert fake_llm.requests == []


async def test_slacks_url_check_is_answered_so_the_request_url_can_be_saved(http):
    status, body = await http.event({"token": "legacy", "challenge": "c-123", "type": "url_verification"})

    assert status == 200 and "c-123" in body


async def test_workspace_settings_are_shown_to_admins_only(http, slack, hearth):
    slack.admins.add(ALICE)
    await http.command(command("config moderators <#C0CHAMPS|champions>", slack))
    await slack.wait_for(lambda: slack.responses)

    await http.command(command("config", slack, user="U0BOB"))
    await http.command(command("config show", slack, user="U0BOB"))
    await http.command(command("config", slack))

    await slack.wait_for(lambda: len(slack.responses) == 4)
    for refused in slack.responses[1:3]:
        assert "C0CHAMPS" not in refused["text"] and "Only workspace admins" in refused["text"]
        assert refused["response_type"] == "ephemeral"
    assert "<#C0CHAMPS>" in slack.responses[3]["text"]


async def test_a_workspace_country_that_is_no_country_is_refused_and_the_earlier_one_kept(http, slack, hearth):
    slack.admins.add(ALICE)
    for number, code in enumerate(("GB", "zz", "it"), 1):  # IT: a country without lines of Hearth's own
        await http.command(command(f"config country {code}", slack))
        await slack.wait_for(lambda n=number: len(slack.responses) == n)
    refused = slack.responses[1]["text"]
    assert "ZZ is not a country I know" in refused and "/hearth config country DE" in refused
    assert "Nothing was changed" in refused and "Saved" not in refused
    assert "Country for crisis lines: IT" in slack.responses[2]["text"]


async def test_a_workspace_country_can_be_set_by_its_name_and_an_unknown_one_is_refused(http, slack, hearth):
    slack.admins.add(ALICE)
    for number, typed in enumerate(("United Kingdom", "Narnia", "états-unis"), 1):
        await http.command(command(f"config country {typed}", slack))
        await slack.wait_for(lambda n=number: len(slack.responses) == n)
    saved, refused, again = (answer["text"] for answer in slack.responses)
    assert "Country for crisis lines: GB" in saved
    assert "Narnia is not a country I know" in refused and "`/hearth config country Germany`" in refused
    assert "Country for crisis lines: US" in again
    assert (await hearth.communities.get(hearth.ids("tenant", "slack", "T0TEST"))).country == "US"


async def test_with_redis_down_config_says_so_in_one_line(slack, fake_llm, settings_overrides, tmp_path):
    slack.admins.add(ALICE)
    async with without_redis(slack, fake_llm, settings_overrides, tmp_path) as (http, _):
        await http.command(command("config", slack))
        await http.command(command("config country GB", slack))
        answers = await slack.wait_for(lambda: len(slack.responses) == 2 and slack.responses)

    for answer in answers:
        assert answer["response_type"] == "ephemeral"
        assert "settings" in answer["text"] and "try again" in answer["text"] and "\n" not in answer["text"]
        assert "Error" not in answer["text"] and "Traceback" not in answer["text"]


async def test_markdown_links_and_headings_show_as_slack_formatting(http, slack, fake_llm):
    said = (
        "## A place to start\n"
        "Have a look at [the help page](https://example.org/help?a=1&b=2) or [this](javascript:alert(1)).\n"
        "**Take care**"
    )
    fake_llm.push(Script(text=said))

    await http.event(dm("where can I read more?"))

    shown = text_of(await streamed_to(slack, "Take care"))
    assert "\n*A place to start*\n" in shown
    assert "<https://example.org/help?a=1&amp;b=2|the help page>" in shown
    assert "[this](javascript:alert(1))" in shown and "<javascript" not in shown
    assert "*Take care*" in shown and "##" not in shown and "](https" not in shown


async def test_a_long_reply_is_split_between_sections_never_inside_a_link(http, slack, fake_llm):
    paragraph = " ".join(["words to fill the page"] * 20 + ["[a guide to sleep](https://example.org/sleep)"] * 10)
    fake_llm.push(Script(text="\n\n".join([paragraph] * 12)))

    await http.event(dm("tell me everything about sleep"))

    def sections() -> list[str]:
        updates = slack.called("chat.update")
        return [block["text"]["text"] for block in updates[-1]["blocks"]] if updates else []

    # The whole reply has arrived once its 120 links are all in the message (a busy machine streams slowly, and a
    # pause between updates is not the end).
    await slack.wait_for(lambda: sum(text.count("|a guide to sleep>") for text in sections()) == 120, timeout=20)
    shown = sections()
    assert len(shown) > 3 and all(len(text) <= 3000 for text in shown)
    assert all(text.count("<") == text.count(">") == text.count("|a guide to sleep>") for text in shown)


async def test_hearth_in_a_dm_between_two_people_answers_only_the_person_who_typed_it(http, slack, hearth):
    theirs = "D0ALICEBOB"  # Alice's DM with Bob: Hearth is not in it, and Bob must see nothing of this
    slack.failing_in[theirs] = "channel_not_found"
    slack.admins.add(ALICE)
    await http.command(command("config moderators <#C0CHAMPS|champions>", slack))
    await slack.wait_for(lambda: slack.responses)

    await http.command(command("i have the pills ready to end it tonight", slack, channel=theirs))

    await slack.wait_for(lambda: len(slack.responses) == 2 and slack.called("conversations.open"))
    await slack.settle()
    answer = slack.responses[1]
    assert answer["response_type"] == "ephemeral" and "moderators know" in text_of(answer)
    copies = [call for call in slack.called("chat.postMessage") if call["channel"] == ALICE_DM]
    assert copies and text_of(copies[0]) == text_of(answer)
    assert all(call.get("channel") != theirs for method in ("chat.postMessage", "chat.postEphemeral")
               for call in slack.called(method))  # fmt: skip
    alert = [call for call in slack.called("chat.postMessage") if call["channel"] == "C0CHAMPS"][0]
    assert "direct message with Hearth" not in alert["text"] and f"<@{ALICE}>" in alert["text"]

    # In Alice's own DM with Hearth the answer stays where it is: no copy of it in the same DM.
    posted = len(slack.called("chat.postMessage"))
    await http.command(command("I want to kill myself", slack, channel=ALICE_DM))
    await slack.wait_for(lambda: len(slack.responses) == 3)
    await slack.settle()
    assert slack.responses[2]["response_type"] == "ephemeral" and len(slack.called("chat.postMessage")) == posted


async def test_hearth_twice_in_ones_own_dm_asks_slack_whose_dm_it_is_only_once(http, slack, hearth):
    await http.command(command(CRISIS, slack, channel=ALICE_DM))
    await slack.wait_for(lambda: len(slack.responses) == 1)
    await http.command(command(CRISIS, slack, channel=ALICE_DM))

    await slack.wait_for(lambda: len(slack.responses) == 2)
    await slack.settle()
    assert len(slack.called("conversations.open")) == 1
    # Both times known as her own DM with Hearth: answered where she typed, no copy posted into the same DM.
    assert [answer["response_type"] for answer in slack.responses] == ["ephemeral", "ephemeral"]
    assert slack.called("chat.postMessage") == []


async def test_a_crisis_added_by_editing_a_dm_gets_the_crisis_reply(http, slack, fake_llm, hearth):
    # Slack delivers an edit as `message_changed`, a subtype that is no person writing: the new words must still
    # be read, and a crisis in them answered.
    sent = dm("i dont know what to do")
    await http.event(sent)
    await slack.wait_for(lambda: slack.called("chat.postMessage"))
    await slack.settle()
    start = len(slack.called("chat.postMessage"))

    await http.event(edit(sent, f"i dont know what to do. {CRISIS}"))

    await slack.wait_for(lambda: len(slack.called("chat.postMessage")) > start)
    reply = slack.called("chat.postMessage")[start]
    assert reply["channel"] == ALICE_DM
    assert text_of(reply) == core_crisis_text(hearth, None, f"i dont know what to do. {CRISIS}")
    assert "hearth:resources" in action_ids(reply)
    assert len(fake_llm.requests) == 1


async def test_an_edit_that_is_no_crisis_gets_no_second_answer(http, slack, fake_llm):
    sent = dm("i had a rough dya")
    await http.event(sent)
    await slack.wait_for(lambda: slack.called("chat.postMessage"))
    await slack.settle()
    start = len(slack.called("chat.postMessage"))

    await http.event(edit(sent, "i had a rough day"))
    await slack.settle()

    assert len(slack.called("chat.postMessage")) == start
    assert len(fake_llm.requests) == 1


async def test_with_redis_down_hearth_introduces_itself_once_not_on_every_message(
    slack, fake_llm, settings_overrides, tmp_path
):
    async with without_redis(slack, fake_llm, settings_overrides, tmp_path) as (http, _):
        for number, text in enumerate(("hello", "are you there?", "ok"), 1):
            await http.event(dm(text))
            # Each reply streams in a message that is then edited into the whole reply.
            await slack.wait_for(lambda n=number: len(slack.called("chat.update")) == n)
        await slack.settle()

    replies = [text_of(call) for call in slack.called("chat.update")]
    assert ["Hi, I'm Hearth" in reply for reply in replies] == [True, False, False]
    assert all("lot to carry" in reply for reply in replies)


async def test_after_a_first_message_crisis_the_next_dm_reply_says_once_what_hearth_keeps(http, slack, fake_llm):
    privacy = "I keep our last few messages for"
    await http.event(dm(CRISIS))
    await slack.wait_for(lambda: slack.called("chat.postMessage"))
    fake_llm.push(Script(text="I'm glad you wrote back."))
    fake_llm.push(Script(text="Take your time."))

    await http.event(dm("thanks, my sister is here with me now"))
    second = await streamed_to(slack, privacy)
    await slack.settle()
    sent = len(slack.called("chat.postMessage")), len(slack.called("chat.update"))
    await http.event(dm("we are having tea"))
    await slack.wait_for(lambda: len(slack.called("chat.postMessage")) > sent[0])
    await slack.settle()
    later = slack.called("chat.postMessage")[sent[0] :] + slack.called("chat.update")[sent[1] :]

    assert privacy not in text_of(slack.called("chat.postMessage")[0])  # the crisis reply stays uncluttered
    assert "I'm glad you wrote back." in text_of(second) and text_of(second).count(privacy) == 1
    assert "/hearth mydata" in text_of(second) and "/hearth forget" in text_of(second)  # as Slack spells them
    assert any("Take your time." in text_of(call) for call in later)
    assert all(privacy not in text_of(call) for call in later)
