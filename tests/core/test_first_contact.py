"""The first-contact introduction through the whole core: once, also when the first words were a crisis (the
crisis reply says Hearth is an automated bot) and while Redis is down (this process remembers, per conversation)."""

import pytest
from redis.asyncio import Redis

from bot.bootstrap import build_app
from bot.config import load_settings
from bot.context import Session
from bot.introduction import Introduction
from bot.pipeline import Turn
from tests.fakes.openai_server import Script
from tests.helpers import SECRET, message, shared_languages

GREETING = "Hi, I'm Hearth, an automated peer-support bot"
CRISIS = "i cant do this anymore, i want to kill myself"


async def test_after_a_first_message_crisis_the_next_reply_is_not_a_second_greeting(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="GB")
    crisis = await app.pipeline.handle(message(app, CRISIS))
    after = await app.pipeline.handle(message(app, "ok"))
    assert crisis.kind == "crisis" and "automated bot" in crisis.text and GREETING not in crisis.text
    assert after.kind == "llm" and GREETING not in after.text


async def test_after_a_first_message_crisis_consent_is_still_asked_without_the_greeting(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=True, default_country="GB")
    await app.pipeline.handle(message(app, CRISIS))
    asked = await app.pipeline.handle(message(app, "ok"))
    assert asked.kind == "disclaimer" and "/consent" in asked.text and GREETING not in asked.text
    assert asked.text.index("116 123") < asked.text.index("/consent")  # in crisis mode the lines come first
    assert fake_llm.requests == []


async def test_after_a_first_message_crisis_with_no_llm_the_next_answer_is_not_a_greeting(make_app):
    app = make_app(default_country="GB")
    await app.pipeline.handle(message(app, CRISIS))
    after = await app.pipeline.handle(message(app, "ok"))
    assert after.kind == "no_llm" and GREETING not in after.text and "116 123" in after.text


async def test_after_hearths_direct_question_as_a_first_reply_no_greeting_follows(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    asked = await app.pipeline.handle(message(app, "I cant go on"))
    answer = await app.pipeline.handle(message(app, "no, just tired"))
    assert "Are you thinking about suicide" in asked.text and "automated bot" in asked.text
    assert GREETING not in answer.text


@pytest.fixture
async def without_redis(settings_overrides, fake_llm, tmp_path):
    def build(**more):
        overrides = {**settings_overrides, "redis_url": None, "openai_base_url": fake_llm.base_url, **more}
        return build_app(load_settings(env_file=None, **overrides), dead, hash_secret=SECRET,
                         languages=shared_languages())  # fmt: skip

    dead = Redis.from_url(f"unix://{tmp_path}/closed.sock", socket_connect_timeout=0.2)
    built = []
    yield lambda **more: built.append(build(**more)) or built[-1]
    for app in built:
        await app.llm.aclose()
        await app.crisis.aclose()
    await dead.aclose()


async def test_with_redis_down_the_greeting_comes_once_per_conversation(without_redis):
    app = without_redis(consent_required=False)
    first = await app.pipeline.handle(message(app, "hello"))
    second = await app.pipeline.handle(message(app, "hello again"))
    elsewhere = await app.pipeline.handle(message(app, "hello", conversation="channel-2"))
    someone_else = await app.pipeline.handle(message(app, "hello", user="bob"))
    assert first.kind == "llm" and first.text.startswith(GREETING)
    assert second.kind == "llm" and GREETING not in second.text
    assert elsewhere.text.startswith(GREETING) and someone_else.text.startswith(GREETING)


@pytest.mark.parametrize(
    ("consent_required", "text", "answer"),
    [
        (True, "hello", "/consent"),  # the consent question: greets once, then only asks
        # A tool's answer with Redis down never carried the introduction: first contact went without it.
        (False, "/breathe", "Box breathing"),
    ],
)
async def test_with_redis_down_the_first_answer_greets_and_the_next_does_not(
    without_redis, consent_required, text, answer
):
    app = without_redis(consent_required=consent_required)
    first = await app.pipeline.handle(message(app, text))
    second = await app.pipeline.handle(message(app, text))
    assert first.text.startswith(GREETING) and answer in first.text
    assert GREETING not in second.text and answer in second.text


async def test_with_redis_down_a_first_message_crisis_is_not_followed_by_a_greeting(without_redis, fake_llm):
    app = without_redis(consent_required=False, default_country="GB")
    fake_llm.push(Script(text="I'm here."))
    crisis = await app.pipeline.handle(message(app, CRISIS))
    after = await app.pipeline.handle(message(app, "ok"))
    assert crisis.kind == "crisis" and GREETING not in after.text


async def test_what_this_process_remembers_with_redis_down_expires_and_stays_bounded(make_app):
    app = make_app()
    now = [1000.0]
    introduction = Introduction(app.context, lambda turn: "hi", max_entries=2, clock=lambda: now[0])

    def turn(who: str) -> Turn:
        msg = message(app, "hello", user=who)
        return Turn(msg=msg, text=msg.text, session=Session.empty(available=False))

    for who in ("alice", "bob", "carol"):
        introduction.shown(turn(who))
    assert [introduction.due(turn(who)) for who in ("alice", "bob", "carol")] == [True, False, False]
    now[0] += app.context.flag_ttl  # as long as the flag in Redis would have lasted
    assert introduction.due(turn("carol"))


# After a crisis reply that was someone's first contact, what Hearth keeps is said once, on the next other reply.
PRIVACY = "I keep our last few messages for"


async def test_after_a_first_message_crisis_the_privacy_line_comes_once_on_the_next_reply(make_app, fake_llm, redis):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, default_country="GB")
    fake_llm.push(Script(text="I'm here with you."))
    fake_llm.push(Script(text="Tell me more."))
    crisis = await app.pipeline.handle(message(app, CRISIS))
    held = {item.kind for item in await app.context.describe(message(app, "x").user)}
    second = await app.pipeline.handle(message(app, "thank you, i'm with my sister now"))
    third = await app.pipeline.handle(message(app, "she is making tea"))
    assert crisis.kind == "crisis" and PRIVACY not in crisis.text and "/mydata" not in crisis.text
    assert "privacy" in held  # /mydata lists what is still owed, with its expiry
    assert second.kind == "llm" and second.text.startswith("I'm here with you.")  # the streamed part stays first
    assert second.text.count(PRIVACY) == 1 and "/mydata" in second.text and "/forget" in second.text
    assert third.kind == "llm" and PRIVACY not in third.text and GREETING not in third.text
    assert not await redis.exists(f"hearth:{{{message(app, 'x').user}}}:privacy")


async def test_after_a_first_message_crisis_a_second_crisis_reply_does_not_carry_the_privacy_line(make_app):
    app = make_app(default_country="GB")
    await app.pipeline.handle(message(app, CRISIS))
    again = await app.pipeline.handle(message(app, "i want to die"))
    tool = await app.pipeline.handle(message(app, "/breathe"))
    later = await app.pipeline.handle(message(app, "/breathe"))
    assert again.kind == "crisis" and PRIVACY not in again.text
    assert "Box breathing" in tool.text and tool.text.count(PRIVACY) == 1  # a tool's answer carries it
    assert PRIVACY not in later.text


async def test_after_the_direct_question_as_a_first_reply_its_answer_carries_the_privacy_line(make_app):
    app = make_app()
    asked = await app.pipeline.handle(message(app, "I cant go on"))
    answer = await app.pipeline.handle(message(app, "no, just tired"))
    assert asked.kind == "check_in" and PRIVACY not in asked.text
    assert answer.text.count(PRIVACY) == 1 and GREETING not in answer.text


async def test_a_first_message_crisis_in_spanish_is_followed_by_the_privacy_line_in_spanish(make_app):
    app = make_app(default_country="ES")
    crisis = await app.pipeline.handle(message(app, "ya no puedo más, quiero matarme"))
    after = await app.pipeline.handle(message(app, "gracias, ya estoy con mi hermana en casa"))
    assert crisis.kind == "crisis" and crisis.language == "es"
    assert "Guardo nuestros últimos mensajes" in after.text and PRIVACY not in after.text


async def test_forget_after_a_first_message_crisis_erases_the_owed_privacy_note(make_app, redis):
    app = make_app(default_country="GB")
    await app.pipeline.handle(message(app, CRISIS))
    key = f"hearth:{{{message(app, 'x').user}}}:privacy"
    assert 0 < await redis.ttl(key) <= app.context.flag_ttl
    await app.pipeline.handle(message(app, "/forget"))
    assert not await redis.exists(key)


async def test_mydata_after_a_first_message_crisis_settles_the_privacy_line_without_repeating_it(make_app):
    app = make_app(default_country="GB")
    await app.pipeline.handle(message(app, CRISIS))
    held = await app.pipeline.handle(message(app, "/mydata"))
    after = await app.pipeline.handle(message(app, "/breathe"))
    assert held.kind == "mydata" and PRIVACY not in held.text
    assert "Box breathing" in after.text and PRIVACY not in after.text


async def test_a_greeting_first_then_a_crisis_owes_no_privacy_line(make_app):
    app = make_app(default_country="GB")
    first = await app.pipeline.handle(message(app, "hello"))
    await app.pipeline.handle(message(app, CRISIS))
    after = await app.pipeline.handle(message(app, "ok, thanks"))
    assert first.text.startswith(GREETING) and PRIVACY in first.text
    assert PRIVACY not in after.text


async def test_with_redis_down_the_privacy_line_after_a_first_message_crisis_comes_once(without_redis, fake_llm):
    app = without_redis(consent_required=False, default_country="GB")
    fake_llm.push(Script(text="I'm here."))
    fake_llm.push(Script(text="Go on."))
    crisis = await app.pipeline.handle(message(app, CRISIS))
    second = await app.pipeline.handle(message(app, "ok"))
    third = await app.pipeline.handle(message(app, "ok"))
    assert crisis.kind == "crisis" and PRIVACY not in crisis.text
    assert second.text.count(PRIVACY) == 1 and GREETING not in second.text
    assert PRIVACY not in third.text and GREETING not in third.text
