"""The crisis path through the whole core: real Redis, the real openai client against a local stand-in."""

import re

from redis.asyncio import Redis

from bot.bootstrap import build_app
from bot.config import load_settings
from bot.models import ACTION_HANDOFF, ACTION_HANDOFF_SHARE, ACTION_RESOURCES, Level
from tests.fakes.openai_server import Script
from tests.helpers import SECRET, message, shared_languages

CRISIS = "i cant do this anymore, i want to kill myself"


async def test_a_crisis_gets_the_deterministic_reply_with_the_countrys_line_and_no_llm_request(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="GB")
    reply = await app.pipeline.handle(message(app, CRISIS))
    assert reply.kind == "crisis" and reply.level is Level.URGENT
    assert "116 123" in reply.text and "automated bot" in reply.text
    assert reply.private and reply.public_notice and CRISIS not in reply.public_notice
    assert {action.id for action in reply.actions} == {ACTION_HANDOFF, ACTION_RESOURCES}
    assert fake_llm.requests == []


async def test_the_users_country_wins_over_the_community_and_the_default(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="GB")
    await app.communities.update(app.ids("tenant", "test"), country="DE")
    by_user = await app.pipeline.handle(message(app, CRISIS, country="US"))
    by_community = await app.pipeline.handle(message(app, CRISIS, user="bob"))
    assert "988" in by_user.text and "116 123" not in by_user.text
    assert "0800 111 0 111" in by_community.text


async def test_without_any_country_the_reply_points_to_findahelpline(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, "kms"))
    assert "findahelpline.com" in reply.text


async def test_without_any_country_the_person_is_told_how_to_get_their_own_lines_and_then_gets_them(make_app):
    app = make_app()
    ask = "If you tell me which country you're in (send /country"
    crisis = await app.pipeline.handle(message(app, "kms"))
    assert ask in crisis.text and crisis.text.index("findahelpline.com") < crisis.text.index(ask)
    assert ask in (await app.pipeline.handle(message(app, "/resources"))).text
    other = make_app()
    asked = await other.pipeline.handle(message(other, "how tall is the golden gate bridge", user="bob"))
    assert asked.kind == "check_in" and ask in asked.text
    chosen = await app.pipeline.handle(message(app, "/country Canada"))
    assert "988" in chosen.text and ask not in chosen.text
    again = await app.pipeline.handle(message(app, "i want to kill myself"))
    assert "988" in again.text and ask not in again.text


async def test_a_known_country_or_one_asked_for_is_never_asked_about(make_app):
    app = make_app(default_country="GB")
    assert "/country" not in (await app.pipeline.handle(message(app, "kms"))).text
    bare = make_app()
    assert "/country" not in (await bare.pipeline.handle(message(bare, "/resources US"))).text


async def test_imminent_danger_puts_the_emergency_number_first(make_app):
    app = make_app(default_country="US")
    reply = await app.pipeline.handle(message(app, "i just took 40 pills"))
    assert reply.level is Level.IMMINENT
    assert reply.text.index("911") < reply.text.index("988")


async def test_after_imminent_danger_the_crisis_lines_still_put_the_emergency_number_first(make_app):
    app = make_app(default_country="US")
    assert (await app.pipeline.handle(message(app, "i just took 40 pills"))).level is Level.IMMINENT
    await app.pipeline.handle(message(app, "ok"))
    lines = await app.pipeline.handle(message(app, "", action=ACTION_RESOURCES))
    assert lines.kind == "resources" and lines.text.index("911") < lines.text.index("988")
    # Someone who was never in immediate danger gets the lines first and the emergency number after them.
    calm = await app.pipeline.handle(message(app, "", user="bob", action=ACTION_RESOURCES))
    assert calm.kind == "resources" and calm.text.index("988") < calm.text.index("911")


async def test_with_redis_down_and_the_llm_failing_a_crisis_still_gets_the_full_reply(
    settings_overrides, fake_llm, tmp_path
):
    fake_llm.default = Script(status=500)
    overrides = {**settings_overrides, "redis_url": None, "openai_base_url": fake_llm.base_url, "default_country": "GB"}
    settings = load_settings(env_file=None, **overrides, consent_required=False)
    redis = Redis.from_url(f"unix://{tmp_path}/closed.sock", socket_connect_timeout=0.5)
    app = build_app(settings, redis, hash_secret=SECRET, languages=shared_languages())
    try:
        reply = await app.pipeline.handle(message(app, "I want to end my life tonight"))
    finally:
        await app.llm.aclose()
        await redis.aclose()
    assert reply.kind == "crisis" and reply.level is Level.IMMINENT
    assert "999 / 112" in reply.text and "116 123" in reply.text and "Shout" in reply.text
    assert fake_llm.requests == []


async def test_a_method_question_after_distress_is_a_crisis(make_app, fake_llm):
    # The rules' own context path. (The learned screen judges this first message urgent by itself: a known
    # false alarm, listed in the README's limits.)
    app = make_app(
        openai_base_url=fake_llm.base_url, consent_required=False, default_country="US", crisis_classifier=False
    )
    first = await app.pipeline.handle(message(app, "I lost my job today and everything is falling apart"))
    assert first.level is Level.CONCERN
    assert first.kind == "llm" and len(fake_llm.requests) == 1
    later = await app.pipeline.handle(message(app, "what bridges in nyc are taller than 25 meters?"))
    assert later.kind == "crisis" and "988" in later.text
    assert "I can't help with that question" in later.text, "the reply says the question itself is not answered"
    assert len(fake_llm.requests) == 1  # the method question never reached the LLM


async def test_a_lethal_dose_question_after_distress_gets_the_crisis_reply_that_declines_it(make_app):
    app = make_app(default_country="US")
    await app.pipeline.handle(message(app, "I lost my job today and everything is falling apart"))
    reply = await app.pipeline.handle(message(app, "how many tylenol would be lethal"))
    assert reply.kind == "crisis" and reply.level.at_least(Level.URGENT)
    opening, declined = reply.text.split("\n\n")[:2]
    assert declined.startswith("I can't help with that question")
    assert set(re.findall(r"\d+", reply.text)) <= {"988", "741741"}, "no number but the lines'"
    # A crisis reply to a message that asks for nothing says nothing about a question.
    plain = await app.pipeline.handle(message(app, CRISIS, user="bob"))
    assert plain.kind == "crisis" and "that question" not in plain.text


async def test_an_imminent_threat_to_someone_else_is_not_asked_whether_they_hurt_themselves(make_app):
    app = make_app(default_country="US")
    reply = await app.pipeline.handle(message(app, "i'm going to kill my brother tonight, i have a knife"))
    assert reply.level is Level.IMMINENT
    first = reply.text.split("\n\n")[0]
    assert first.startswith("If someone could get hurt right now") and "911" in first
    assert "hurt yourself" not in reply.text and "Feelings this strong can change" not in reply.text
    assert "talk to someone you trust right now" in reply.text
    # The lines shown again afterwards put the same emergency line first.
    lines = await app.pipeline.handle(message(app, "", action=ACTION_RESOURCES))
    assert lines.text.startswith("If someone could get hurt right now") and "hurt yourself" not in lines.text


async def test_the_abuse_reply_does_not_tell_the_person_their_feelings_can_change(make_app):
    app = make_app(default_country="US")
    reply = await app.pipeline.handle(message(app, "my dad hits me every night"))
    assert reply.kind == "crisis" and reply.level.at_least(Level.URGENT)
    assert "can change" not in reply.text and "feelings" not in reply.text.lower()
    assert "someone you trust who is safe to tell" in reply.text and "not your fault" in reply.text


async def test_a_medical_emergency_is_told_to_call_because_of_what_they_took(make_app):
    app = make_app(default_country="US")
    reply = await app.pipeline.handle(message(app, "i just took 40 pills"))
    assert reply.text.startswith("If you have taken something or are hurt, please call 911 now")
    # Not "feelings this strong can change": someone near them should know what they took, and stay.
    assert "Feelings this strong" not in reply.text and "what you took if you took something" in reply.text


async def test_the_same_method_question_without_distress_is_declined_gently_not_answered(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    reply = await app.pipeline.handle(message(app, "what bridges in nyc are taller than 25 meters?"))
    assert reply.kind == "check_in" and reply.level is Level.CONCERN
    assert "can't help with that" in reply.text
    assert fake_llm.requests == []


async def test_a_greeting_is_not_distress_that_turns_a_later_method_question_into_a_crisis(make_app, fake_llm):
    # With the learned screen: "hi" scores what a message with no telling word scores, and must leave no mark.
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    fake_llm.push(Script(text="Hi! How can I help?"))
    await app.pipeline.handle(message(app, "hi"))
    reply = await app.pipeline.handle(message(app, "what bridges in nyc are taller than 25 meters?"))
    assert reply.kind == "check_in" and reply.level is Level.CONCERN


async def test_an_ambiguous_message_gets_a_direct_gentle_question_and_yes_is_a_crisis(make_app, fake_llm):
    # The rules' own path for ambiguous words (the learned screen, which may judge this urgent, is tested apart).
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, crisis_classifier=False)
    asked = await app.pipeline.handle(message(app, "i just want it all to stop"))
    assert asked.kind == "check_in" and "Are you thinking about suicide" in asked.text
    answer = await app.pipeline.handle(message(app, "yeah"))
    assert answer.kind == "crisis"
    assert fake_llm.requests == []


async def test_hyperbole_the_screen_would_call_a_crisis_gets_a_direct_question_not_the_crisis_reply(make_app, fake_llm):
    # The rules read a small annoyance as the cause; the learned screen alone would make this urgent (p = 0.74).
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    asked = await app.pipeline.handle(message(app, "the canteen ran out of cookies, i want to die"))
    assert asked.kind == "check_in" and asked.level is Level.CONCERN
    assert "Are you thinking about suicide" in asked.text
    answer = await app.pipeline.handle(message(app, "yes honestly"))
    assert answer.kind == "crisis"
    assert fake_llm.requests == []


async def test_after_distress_the_same_hyperbole_is_a_crisis(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    fake_llm.push(Script(text="That sounds so heavy. I'm here."))
    await app.pipeline.handle(message(app, "i feel so worthless and alone lately"))
    reply = await app.pipeline.handle(message(app, "the canteen ran out of cookies, i want to die"))
    assert reply.kind == "crisis"


async def test_after_a_crisis_the_conversation_stays_in_crisis_mode_for_the_llm(make_app, fake_llm, redis):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    await app.pipeline.handle(message(app, CRISIS))
    assert any(b":crisis:" in key for key in await redis.keys("*"))
    await app.pipeline.handle(message(app, "thanks. i dont know what to do"))
    system = fake_llm.requests[-1]["messages"][0]["content"]
    assert "after a crisis" in system
    assert all(CRISIS not in m["content"] for m in fake_llm.requests[-1]["messages"])


async def test_a_concern_message_goes_to_the_llm_in_careful_mode_with_resources_offered(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    reply = await app.pipeline.handle(message(app, "i feel so lonely lately"))
    assert reply.kind == "llm" and reply.level is Level.CONCERN
    assert "Mode: careful" in fake_llm.requests[-1]["messages"][0]["content"]
    assert [action.id for action in reply.actions] == [ACTION_RESOURCES]


async def test_the_conversation_stays_careful_after_a_concern_message(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    await app.pipeline.handle(message(app, "i feel so lonely lately"))
    later = await app.pipeline.handle(message(app, "anyway, what should i do tonight"))
    assert later.kind == "llm" and "Mode: careful" in fake_llm.requests[-1]["messages"][0]["content"]
    assert [action.id for action in later.actions] == [ACTION_RESOURCES]
    other = await app.pipeline.handle(message(app, "what should i do tonight", user="bob"))
    assert "Mode: listening" in fake_llm.requests[-1]["messages"][0]["content"] and not other.actions


async def test_talk_to_a_person_alerts_moderators_with_a_link_and_the_summary_only_with_consent(make_app):
    app = make_app(default_country="GB")
    await app.communities.update(app.ids("tenant", "test"), moderator_channel="mods")
    await app.pipeline.handle(message(app, CRISIS))
    link = "https://discord.com/channels/1/2"
    handoff = await app.pipeline.handle(message(app, "", action=ACTION_HANDOFF, link=link))
    assert handoff.alert is not None and handoff.alert.link == link and handoff.alert.summary is None
    assert "moderators" in handoff.text and "haven't passed on what you wrote" in handoff.text
    assert ACTION_HANDOFF_SHARE in {action.id for action in handoff.actions}
    assert "don't wait for them" in handoff.alert.undelivered and "999" in handoff.alert.undelivered
    shared = await app.pipeline.handle(message(app, "", action=ACTION_HANDOFF_SHARE, link=link))
    assert shared.alert.summary and "suicide" in shared.alert.summary and "kill myself" not in shared.alert.summary


async def test_without_moderators_the_handoff_says_so_honestly_and_gives_the_lines(make_app):
    app = make_app(default_country="GB")
    reply = await app.pipeline.handle(message(app, "", action=ACTION_HANDOFF))
    assert reply.alert is None
    assert "no moderators" in reply.text and "116 123" in reply.text


async def test_imminent_danger_alerts_configured_moderators_and_tells_the_user(make_app):
    app = make_app(default_country="US")
    await app.communities.update(app.ids("tenant", "test"), moderator_channel="mods")
    reply = await app.pipeline.handle(message(app, "i have the pills ready to end it tonight", link="https://x/1"))
    assert reply.alert is not None and reply.alert.level is Level.IMMINENT and reply.alert.summary is None
    assert "let this community's moderators know" in reply.text
    # Should the alert not get through, what the adapter tells the person names their emergency number.
    assert "didn't get through" in reply.alert.undelivered and "911" in reply.alert.undelivered
    urgent = await app.pipeline.handle(message(app, "i want to die", user="bob"))
    assert urgent.alert is None


async def test_a_day_already_lived_is_not_a_time_set_to_act_and_pages_no_one(make_app):
    app = make_app(default_country="US")
    await app.communities.update(app.ids("tenant", "test"), moderator_channel="mods")
    told = await app.pipeline.handle(message(app, "i keep thinking i want to die, today was awful"))
    assert told.kind == "crisis" and told.level is Level.URGENT and told.alert is None
    therapist = await app.pipeline.handle(message(app, "today i told my therapist i want to die", user="bob"))
    assert therapist.level is Level.URGENT and therapist.alert is None
    # A time still to come is: tonight, or "today" as the day they mean to do it.
    for user, text in (("cy", "i want to die today"), ("di", "yesterday i wanted to kill myself and today i still do")):
        reply = await app.pipeline.handle(message(app, text, user=user))
        assert reply.level is Level.IMMINENT and reply.alert is not None


async def test_resources_command_uses_the_country_asked_for(make_app):
    app = make_app(default_country="US")
    assert "116 123" in (await app.pipeline.handle(message(app, "/resources GB"))).text
    assert "988" in (await app.pipeline.handle(message(app, "/resources"))).text


async def test_the_moderation_second_opinion_can_raise_the_level(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, crisis_moderation=True)
    try:
        fake_llm.moderation_flagged = True
        reply = await app.pipeline.handle(message(app, "i feel nothing at all anymore"))
        assert reply.kind == "crisis" and fake_llm.requests == []
        assert len(fake_llm.moderation_requests) == 1
    finally:
        await app.crisis.aclose()


async def test_a_failing_moderation_check_changes_nothing(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, crisis_moderation=True)
    try:
        fake_llm.moderation_status = 500
        calm = await app.pipeline.handle(message(app, "had a nice walk today"))
        crisis = await app.pipeline.handle(message(app, CRISIS))
        assert calm.kind == "llm" and crisis.kind == "crisis"
    finally:
        await app.crisis.aclose()


async def test_an_llm_reply_with_method_information_is_withheld(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    fake_llm.push(Script(text="The Verrazzano bridge is about 70 meters above the water."))
    reply = await app.pipeline.handle(message(app, "tell me about new york"))
    assert reply.kind == "screened" and "70 meters" not in reply.text


async def test_llm_replies_after_a_crisis_use_the_crisis_prompt_and_keep_the_lines_one_press_away(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="US")
    await app.pipeline.handle(message(app, "hello"))
    assert (await app.pipeline.handle(message(app, CRISIS))).kind == "crisis"
    after = await app.pipeline.handle(message(app, "ok thanks"))
    assert after.kind == "llm" and "Mode: after a crisis" in fake_llm.requests[-1]["messages"][0]["content"]
    assert CRISIS not in str(fake_llm.requests[-1]["messages"])
    assert ACTION_RESOURCES in {action.id for action in after.actions}


async def test_an_llm_reply_promising_secrecy_is_withheld_and_says_why(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    fake_llm.push(Script(text="Of course. I'll keep this between us, nobody will ever know."))
    reply = await app.pipeline.handle(message(app, "can you keep a secret"))
    assert reply.kind == "screened" and "between us" not in reply.text
    assert "can't promise it" in reply.text and "medication" not in reply.text


async def test_after_a_crisis_reply_the_no_llm_answer_keeps_the_lines_in_view(make_app):
    # "I want to die", then anything: without an LLM the generic "free conversation isn't switched on" alone
    # would leave the person with an advert for /breathe. In crisis mode the lines come with it.
    app = make_app(default_country="GB")
    assert (await app.pipeline.handle(message(app, "i want to kill myself"))).kind == "crisis"
    after = await app.pipeline.handle(message(app, "ok"))
    assert after.kind == "no_llm" and "116 123" in after.text
    assert after.text.index("116 123") < after.text.index("/breathe")


async def test_after_imminent_danger_the_no_llm_answer_starts_with_the_emergency_number(make_app):
    app = make_app(default_country="US")
    assert (await app.pipeline.handle(message(app, "i just took 40 pills"))).level is Level.IMMINENT
    after = await app.pipeline.handle(message(app, "what now"))
    assert after.text.index("911") < after.text.index("988") < after.text.index("/breathe")


async def test_after_a_crisis_reply_the_llm_down_answer_keeps_the_lines_in_view(make_app, fake_llm):
    fake_llm.default = Script(status=500)
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="DE", llm_max_retries=0)
    assert (await app.pipeline.handle(message(app, "ich will nicht mehr leben"))).kind == "crisis"
    after = await app.pipeline.handle(message(app, "danke"))
    assert after.kind == "llm_down" and "0800 111 0 111" in after.text
    # ...and the apology after them is in German too, not English after German lines.
    assert "Tut mir leid, ich kann gerade keine Antwort schreiben" in after.text and "I'm sorry" not in after.text


async def test_outside_crisis_mode_the_no_llm_answer_stays_short(make_app):
    app = make_app(default_country="GB")
    reply = await app.pipeline.handle(message(app, "hello there"))
    assert reply.kind == "no_llm" and "116 123" not in reply.text


async def test_i_took_my_pills_is_asked_about_not_answered_as_an_emergency_and_alerts_no_one(make_app, fake_llm):
    # The learned screen alone made this imminent (p = 0.6): the emergency number first and the moderators paged,
    # for what is most often the morning routine. Hearth asks how many instead, with the number to call.
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="GB")
    await app.communities.update(app.ids("tenant", "test"), moderator_channel="mods")
    asked = await app.pipeline.handle(message(app, "i took my pills"))
    assert asked.kind == "check_in" and asked.level is Level.CONCERN and asked.alert is None
    assert "taken more of something than they should" in asked.text and "999" in asked.text
    assert "Are you thinking about suicide" not in asked.text
    answer = await app.pipeline.handle(message(app, "yes"))
    assert answer.kind == "crisis" and answer.level is Level.IMMINENT
    assert answer.text.startswith("If you have taken something") and answer.alert is not None
    assert fake_llm.requests == []


async def test_a_no_to_the_medication_question_is_thanked_with_the_number_to_call_if_that_changes(make_app):
    app = make_app(consent_required=False, default_country="DE")
    asked = await app.pipeline.handle(message(app, "ich habe meine Tabletten genommen"))
    assert asked.kind == "check_in" and "mehr von etwas genommen" in asked.text
    answer = await app.pipeline.handle(message(app, "nein"))
    assert "ruf bitte sofort 112 an" in answer.text and "Suizid" not in answer.text


async def test_after_distress_i_took_my_pills_is_a_crisis(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    fake_llm.push(Script(text="That sounds so heavy. I'm here."))
    first = await app.pipeline.handle(message(app, "i feel so worthless and alone lately"))
    assert first.kind != "crisis"  # distress, not yet a crisis
    reply = await app.pipeline.handle(message(app, "i took my pills"))
    assert reply.kind == "crisis" and reply.level.at_least(Level.URGENT)


async def test_an_imminent_rule_the_screen_all_but_rules_out_is_asked_about_and_alerts_no_one(make_app, fake_llm):
    # "overdosed on" is imminent by rule, which alerts the moderators; the screen sees the coffee (p = 0.03).
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="US")
    await app.communities.update(app.ids("tenant", "test"), moderator_channel="mods")
    text = "I overdosed on coffee today, my heart is doing a drum solo"
    asked = await app.pipeline.handle(message(app, text))
    assert asked.kind == "check_in" and asked.level is Level.CONCERN and asked.alert is None
    assert "call 911 now" in asked.text
    overdose = await app.pipeline.handle(message(app, "i took 30 pills an hour ago", user="bob"))
    assert overdose.level is Level.IMMINENT and overdose.alert is not None


async def test_every_direct_question_keeps_the_emergency_number_in_view(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="GB")
    asked = await app.pipeline.handle(message(app, "the canteen ran out of cookies, i want to die"))
    assert asked.kind == "check_in" and "Are you thinking about suicide" in asked.text
    assert asked.text.rstrip().endswith("please call 999 / 112 now, or ask someone near you to call.")


async def test_hurt_by_someone_the_reply_says_to_tell_someone_safe_not_just_someone_near(make_app):
    # "Tell someone near you" could be the one who hurt them.
    app = make_app(default_country="US")
    reply = await app.pipeline.handle(message(app, "my husband hit me and im bleeding a lot"))
    assert reply.kind == "crisis" and reply.level is Level.IMMINENT
    assert "someone you trust who is safe to tell" in reply.text and "someone near you now" not in reply.text


async def test_after_a_crisis_reply_the_consent_question_keeps_the_lines_in_view(make_app, fake_llm):
    # Someone whose first words to Hearth were a crisis, and who then writes "ok", must not be left with only
    # "your messages are sent to an AI language model..." and a consent button.
    app = make_app(openai_base_url=fake_llm.base_url, default_country="GB")
    assert (await app.pipeline.handle(message(app, "i want to kill myself"))).kind == "crisis"
    for said in ("ok", "thanks"):
        asked = await app.pipeline.handle(message(app, said))
        assert asked.kind == "disclaimer" and "116 123" in asked.text
        assert asked.text.index("116 123") < asked.text.index("language model")
        assert {action.id for action in asked.actions} >= {"consent", ACTION_RESOURCES}
    assert fake_llm.requests == []
    other = await app.pipeline.handle(message(app, "hello", user="bob"))
    assert "116 123" not in other.text


async def test_a_rate_limit_after_a_crisis_reply_keeps_the_lines_in_view(make_app, fake_llm):
    # "I need to pause our conversation for a little while" is the last thing someone who just said they want to
    # die should read alone: the lines come first, the emergency number first after immediate danger.
    app = make_app(
        openai_base_url=fake_llm.base_url, consent_required=False, default_country="US", rate_limit_per_user="1/10m"
    )
    await app.pipeline.handle(message(app, "hey"))
    assert (await app.pipeline.handle(message(app, "i just took 40 pills"))).level is Level.IMMINENT
    limited = await app.pipeline.handle(message(app, "ok"))
    assert limited.kind == "limited"
    assert limited.text.index("911") < limited.text.index("988") < limited.text.index("pause our conversation")
    calm = await app.pipeline.handle(message(app, "hey", user="bob"))
    calm = await app.pipeline.handle(message(app, "hey again", user="bob"))
    assert calm.kind == "limited" and "988" not in calm.text


async def test_an_edit_is_answered_only_when_it_is_a_crisis_and_answers_no_question(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    assert (await app.pipeline.handle(message(app, "I'm worthless"))).kind == "check_in"
    # An earlier message put right while Hearth waits for the answer to its question: no second answer, and it
    # is not the answer either.
    fixed = await app.pipeline.handle(message(app, "i had a rough day", edited=True, event_id="m1:edit:1"))
    assert fixed.kind == "edited" and not fixed.text and fake_llm.requests == []
    assert (await app.pipeline.handle(message(app, "yes"))).kind == "crisis"
    added = await app.pipeline.handle(message(app, "i took all my pills", user="bob", edited=True))
    assert added.kind == "crisis" and added.level is Level.IMMINENT and fake_llm.requests == []


async def test_a_second_crisis_message_is_answered_as_a_follow_up_not_the_same_reply_again(make_app):
    # In crisis mode, "nobody would even notice", "i just want it to stop"... each get the crisis reply. The same
    # long text pasted again and again ("I'm really glad you told me", "I'm Hearth, an automated bot") reads as a
    # machine that is not listening: later ones say Hearth is still there, with the same lines and buttons.
    app = make_app(default_country="GB")
    first = await app.pipeline.handle(message(app, "I want to kill myself"))
    assert first.kind == "crisis" and "I'm really glad you told me" in first.text
    for said in ("nobody would even notice", "i want to die"):
        again = await app.pipeline.handle(message(app, said))
        assert again.kind == "crisis" and again.text != first.text
        assert "I'm really glad you told me" not in again.text and "still here" in again.text
        assert "bot" in again.text and "116 123" in again.text and "Shout" in again.text
        assert [action.id for action in again.actions] == [ACTION_HANDOFF, ACTION_RESOURCES]
    # Something new is told in full: abuse gets its own words, and immediate danger the emergency number first.
    abuse = await app.pipeline.handle(message(app, "my dad beats me every night"))
    assert abuse.kind == "crisis" and "It is not your fault" in abuse.text
    danger = await app.pipeline.handle(message(app, "i have the pills here and im taking them tonight"))
    assert danger.level is Level.IMMINENT and danger.text.startswith("If you are in danger")
    other = await app.pipeline.handle(message(app, "i want to die", user="bob"))
    assert "I'm really glad you told me" in other.text


async def test_with_redis_down_talk_to_a_person_does_not_claim_no_moderators_were_set_up(settings_overrides, tmp_path):
    # The community's settings live in Redis: unread, Hearth cannot know whether moderators set it up, and
    # telling someone in crisis "no moderators have set up Hearth here" may be untrue and keep them from asking.
    settings = load_settings(env_file=None, **{**settings_overrides, "redis_url": None, "default_country": "GB"})
    redis = Redis.from_url(f"unix://{tmp_path}/closed.sock", socket_connect_timeout=0.5)
    app = build_app(settings, redis, hash_secret=SECRET, languages=shared_languages())
    try:
        reply = await app.pipeline.handle(message(app, "", action=ACTION_HANDOFF))
    finally:
        await redis.aclose()
    assert reply.kind == "handoff" and reply.alert is None
    assert "no moderators" not in reply.text and "can't reach" in reply.text
    assert "116 123" in reply.text and "999" in reply.text


async def test_after_a_crisis_reply_an_empty_llm_reply_still_leads_with_the_lines(make_app, fake_llm):
    # The LLM answered, but with nothing: what the person gets instead must not be "I can't write a reply" alone.
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="GB")
    assert (await app.pipeline.handle(message(app, CRISIS))).kind == "crisis"
    fake_llm.push(Script(text=""))
    after = await app.pipeline.handle(message(app, "ok"))
    assert after.kind == "llm_down" and after.text.index("116 123") < after.text.index("I'm sorry")


async def test_after_a_crisis_reply_a_withheld_llm_reply_still_leads_with_the_lines(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="GB")
    assert (await app.pipeline.handle(message(app, CRISIS))).kind == "crisis"
    fake_llm.push(Script(text="The Verrazzano bridge is about 70 meters above the water."))
    after = await app.pipeline.handle(message(app, "tell me about new york"))
    assert after.kind == "screened" and "70 meters" not in after.text
    assert after.text.index("116 123") < after.text.index("held it back")


async def test_after_a_crisis_replies_keep_a_person_one_press_away_where_moderators_are_set_up(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="GB")
    await app.communities.update(app.ids("tenant", "test"), moderator_channel="mods")
    assert (await app.pipeline.handle(message(app, CRISIS))).kind == "crisis"
    after = await app.pipeline.handle(message(app, "ok thanks"))
    assert after.kind == "llm" and [action.id for action in after.actions] == [ACTION_HANDOFF, ACTION_RESOURCES]
    fake_llm.push(Script(text=""))
    empty = await app.pipeline.handle(message(app, "still here"))
    assert empty.kind == "llm_down" and [action.id for action in empty.actions] == [ACTION_HANDOFF, ACTION_RESOURCES]
    # Someone who only said they feel lonely is not offered moderators: the lines alone, as before.
    concern = await app.pipeline.handle(message(app, "i feel so lonely lately", user="bob"))
    assert [action.id for action in concern.actions] == [ACTION_RESOURCES]


async def test_after_a_crisis_without_moderators_replies_offer_the_lines_alone(make_app, fake_llm):
    # "Talk to a person" could only say no moderators set Hearth up, which the crisis reply itself said.
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="GB")
    assert (await app.pipeline.handle(message(app, CRISIS))).kind == "crisis"
    after = await app.pipeline.handle(message(app, "ok thanks"))
    assert after.kind == "llm" and [action.id for action in after.actions] == [ACTION_RESOURCES]
