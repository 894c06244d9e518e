"""The tools that need no LLM, through the whole pipeline with the real Redis."""

import pytest
from redis.asyncio import Redis

from bot.bootstrap import build_app
from bot.config import load_settings
from bot.redis_keys import UserKeys
from tests.fakes.openai_server import Script
from tests.helpers import SECRET, message, shared_languages


async def talk(app, *lines, **fields):
    return [await app.pipeline.handle(message(app, line, **fields)) for line in lines]


async def test_the_thought_record_walks_step_by_step_and_sums_up_the_answers(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    answers = ["missed a deadline", "I'm useless", "ashamed 80", "labelling", "I was late", "I usually deliver",
               "I had a hard week, not a useless life", "ashamed 40"]  # fmt: skip
    replies = await talk(app, "/reframe", *answers)
    assert "What happened?" in replies[0].text and replies[0].private
    assert "Thinking traps" not in replies[-2].text
    summary = replies[-1].text
    assert "Thought: I'm useless" in summary and "Balanced thought: I had a hard week" in summary
    assert fake_llm.requests == []  # no LLM during an exercise
    after = await talk(app, "thanks")
    assert after[0].kind == "llm"  # the exercise ended; conversation resumes


async def test_stopping_an_exercise_erases_its_answers(make_app, redis):
    app = make_app()
    await talk(app, "/prepare", "I can't sleep")
    user = message(app, "x").user
    assert await redis.exists(UserKeys(user).flow(message(app, "x").conversation))
    stopped = await app.pipeline.handle(message(app, "", action="stop_exercise"))
    assert "stopped" in stopped.text
    assert not await redis.exists(UserKeys(user).flow(message(app, "x").conversation))


async def test_a_crisis_in_the_middle_of_an_exercise_is_answered_as_a_crisis(make_app):
    app = make_app()
    replies = await talk(app, "/reframe", "I want to kill myself")
    assert replies[-1].kind == "crisis"


async def test_exercises_are_per_conversation(make_app):
    app = make_app()
    await talk(app, "/ground", conversation="a")
    other = await talk(app, "hello", conversation="b")
    assert other[0].kind == "no_llm"


async def test_check_ins_are_opt_in_charted_and_forgotten(make_app, redis):
    app = make_app()
    asked, first, second, history = await talk(
        app, "/checkin", "/checkin 4 slept well", "/checkin 2", "/checkin history"
    )
    assert "1 (very low) to 5" in asked.text
    assert "▇" in first.text and second.text.endswith("▇▃")
    assert "average 3.0/5" in history.text
    key = UserKeys(message(app, "x").user).checkins
    assert 0 < await redis.ttl(key) <= 14 * 86400
    await talk(app, "/forget")
    assert not await redis.exists(key)


async def test_cards_breathing_and_journal_work_without_an_llm(make_app):
    app = make_app()
    learn, card, breathe, journal = await talk(app, "/learn", "/learn panic", "/breathe calm", "/journal")
    assert "/learn sleep" in learn.text
    assert "Panic attacks" in card.text and "not a diagnosis" not in card.text
    assert "breathe out slowly" in breathe.text.lower()
    assert journal.text.count(">") == 1


async def test_a_crisis_reply_ends_the_exercise_so_the_next_message_is_not_taken_as_its_answer(make_app, redis):
    app = make_app()
    replies = await talk(app, "/reframe", "at work", "I want to kill myself", "ok thanks")
    assert replies[2].kind == "crisis"
    assert "What did you feel" not in replies[3].text and "/stop" not in replies[3].text
    user, conversation = message(app, "x").user, message(app, "x").conversation
    assert not await redis.exists(UserKeys(user).flow(conversation))


async def test_the_answer_to_hearths_direct_question_is_not_recorded_as_the_exercises_answer(make_app):
    app = make_app()
    replies = await talk(app, "/reframe", "I cant go on", "no", "at work", *["x"] * 6, "calmer 40")
    assert "Are you thinking about suicide" in replies[1].text
    assert "Thank you for telling me" in replies[2].text and "What happened?" in replies[2].text
    assert "What went through your mind?" in replies[3].text
    summary = replies[-1].text
    assert "Situation: at work" in summary and "Feeling now: calmer 40" in summary


async def test_wrong_moods_and_unknown_topics_are_told_so_rather_than_silently_ignored(make_app, redis):
    app = make_app()
    nine, letters, card = await talk(app, "/checkin 9", "/checkin abc", "/learn nonsense")
    assert "haven't saved" in nine.text and "haven't saved" in letters.text
    assert not await redis.exists(UserKeys(message(app, "x").user).checkins)
    assert "don't have a card on that" in card.text and "/learn sleep" in card.text
    assert "don't have a card" not in (await talk(app, "/learn"))[0].text
    assert "Low mood" in (await talk(app, "/learn Low Mood?"))[0].text


async def test_counts_of_one_read_as_people_write_them(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, llm_max_retries=0)
    fake_llm.push(Script(status=400))  # the LLM fails: only the person's one message is kept
    _, history, _, held = await talk(app, "/checkin 3", "/checkin history", "hello", "/mydata")
    assert "1 check-ins" not in history.text and "(3/5)" in history.text
    assert "(1 message)" in held.text


async def test_about_does_not_say_nothing_is_kept_longer_than_the_conversation(make_app):
    app = make_app()
    about = (await talk(app, "/about"))[0].text
    assert "Nothing is kept for longer" not in about
    assert "14 days" in about and "24 h" in about


async def test_a_failing_stage_says_sorry_in_plain_words(make_app):
    from bot.pipeline import SORRY

    assert "lost on you" not in SORRY


async def test_someone_who_starts_with_a_tool_still_sees_once_that_hearth_is_a_bot(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=True)
    first, second, chat = await talk(app, "/breathe", "/journal", "hello")
    assert first.text.startswith("Hi, I'm Hearth, an automated") and "Box breathing" in first.text
    assert "automated peer-support bot" not in second.text
    assert "automated peer-support bot" not in chat.text and "/consent" in chat.text


async def test_stop_typed_without_the_slash_stops_the_exercise_instead_of_being_its_answer(make_app, redis):
    app = make_app()
    started, stopped = await talk(app, "/prepare", "Stop.")
    assert "stopped" in stopped.text
    assert not await redis.exists(UserKeys(message(app, "x").user).flow(message(app, "x").conversation))


async def test_help_says_how_to_stop_an_exercise(make_app):
    app = make_app()
    assert "/stop" in (await talk(app, "/help"))[0].text


async def test_an_unknown_breathing_pattern_says_which_ones_there_are(make_app):
    app = make_app()
    unknown, known = await talk(app, "/breathe foo", "/breathe calm")
    assert "don't have a breathing exercise by that name" in unknown.text
    assert "/breathe box, /breathe calm" in unknown.text and "Box breathing" in unknown.text
    assert "by that name" not in known.text and "Longer out-breath" in known.text


async def test_the_answer_to_how_are_you_feeling_after_an_exercise_is_not_the_generic_no_llm_reply(make_app):
    app = make_app()
    *_, summary, answer, later = await talk(app, "/ground", "a", "b", "c", "d", "e", "a bit calmer", "hello")
    assert "How are you feeling now?" in summary.text
    assert "Thank you for telling me" in answer.text and "Free conversation isn't switched on" not in answer.text
    assert "/resources" in answer.text
    assert "Thank you for telling me" not in later.text  # only the answer to the question
    breathe, felt = await talk(app, "/breathe", "a little better")
    assert "How do you feel now" in breathe.text and "Thank you for telling me" in felt.text


async def test_after_an_exercise_the_llm_answers_as_usual(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    *_, answer = await talk(app, "/ground", "a", "b", "c", "d", "e", "a bit calmer")
    assert answer.kind == "llm" and fake_llm.requests[-1]["messages"][-1]["content"] == "a bit calmer"


async def test_breathing_in_the_middle_of_an_exercise_leaves_the_exercise_where_it_was(make_app):
    app = make_app()
    *_, resumed = await talk(app, "/reframe", "at work", "/breathe", "I'm useless")
    assert "feel" in resumed.text.lower() and "Thank you for telling me" not in resumed.text


async def test_mydata_does_not_claim_answers_are_held_after_a_breathing_exercise(make_app):
    app = make_app()
    _, held = await talk(app, "/breathe", "/mydata")
    assert "an exercise you are doing or have just finished" in held.text
    assert "your answers in an exercise you are doing" not in held.text


@pytest.fixture
async def app_without_redis(settings_overrides, tmp_path):
    """The whole app with Redis unreachable (a unix socket nobody listens on)."""
    settings = load_settings(env_file=None, **{**settings_overrides, "redis_url": None})
    redis = Redis.from_url(f"unix://{tmp_path}/closed.sock", socket_connect_timeout=0.5)
    app = build_app(settings, redis, hash_secret=SECRET, languages=shared_languages())
    yield app
    await app.crisis.aclose()
    await redis.aclose()


async def test_with_redis_down_breathing_still_works(app_without_redis):
    reply = await app_without_redis.pipeline.handle(message(app_without_redis, "/breathe"))
    assert "Box breathing" in reply.text and "something went wrong" not in reply.text


@pytest.mark.parametrize("command", ["/checkin 3 tired", "/checkin history", "/reframe", "/ground", "/stop"])
async def test_with_redis_down_a_tool_that_needs_memory_says_so(app_without_redis, command):
    # Not the pipeline's "something went wrong on my side": the person learns what is wrong and what still works.
    reply = await app_without_redis.pipeline.handle(message(app_without_redis, command))
    assert "short-term memory isn't answering" in reply.text and "/resources" in reply.text
    assert "something went wrong" not in reply.text
