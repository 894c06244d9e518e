"""Rate limits and token budgets: exact at the boundary, shared by every replica, kind when they bite."""

import asyncio

from redis.asyncio import Redis

from bot.bootstrap import build_app
from bot.config import load_settings
from bot.limits import Limiter, Subject
from tests.fakes.openai_server import Script
from tests.helpers import SECRET, message, shared_languages


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def limiter(redis, clock, **rates):
    settings = load_settings(env_file=None, **rates).limits
    return Limiter(redis, settings, clock=clock)


SUBJECT = Subject("user-1", "conv-1", "tenant-1")


async def test_the_nth_message_passes_and_the_next_waits_exactly_until_the_first_leaves_the_window(redis):
    clock = Clock()
    limits = limiter(redis, clock, rate_limit_per_user="3/1m")
    for _ in range(3):
        clock.now += 1
        assert (await limits.check(SUBJECT)).allowed
    refused = await limits.check(SUBJECT)
    assert not refused.allowed and refused.limit == "user"
    # The first message was at t0+1; now is t0+3: it leaves the window at t0+61, 58 s from now.
    assert refused.retry_after == 58.0
    clock.now += 57.999
    assert not (await limits.check(SUBJECT)).allowed
    clock.now += 0.001
    assert (await limits.check(SUBJECT)).allowed
    assert not (await limits.check(SUBJECT)).allowed


async def test_refused_messages_do_not_count_so_a_flood_does_not_extend_the_wait(redis):
    clock = Clock()
    limits = limiter(redis, clock, rate_limit_per_user="2/10s")
    assert (await limits.check(SUBJECT)).allowed
    assert (await limits.check(SUBJECT)).allowed
    for _ in range(50):
        assert not (await limits.check(SUBJECT)).allowed
    clock.now += 10
    assert (await limits.check(SUBJECT)).allowed
    assert (await limits.check(SUBJECT)).allowed


async def test_the_window_that_frees_last_is_the_one_reported(redis):
    clock = Clock()
    limits = limiter(redis, clock, rate_limit_per_user="5/1m", rate_limit_per_tenant="2/1h")
    assert (await limits.check(Subject("a", "c1", "t"))).allowed
    assert (await limits.check(Subject("b", "c2", "t"))).allowed
    refused = await limits.check(Subject("c", "c3", "t"))
    assert (refused.limit, refused.retry_after) == ("tenant", 3600.0)


async def test_the_token_minute_budget_frees_when_the_estimate_drops_below_it(redis):
    clock = Clock(60_000 * 1000 + 30.0)  # half-way through a minute
    limits = limiter(redis, clock, llm_tokens_per_minute=100)
    assert (await limits.check(SUBJECT)).allowed
    await limits.spend(SUBJECT.tenant, 150)
    refused = await limits.check(SUBJECT)
    # 30 s to the end of this minute, then 150 * (60 - t) / 60 < 100 once t > 20 s into the next one.
    assert refused.limit == "tokens_minute" and refused.retry_after == 50.001
    clock.now += 50.0
    assert not (await limits.check(SUBJECT)).allowed
    clock.now += 0.001
    assert (await limits.check(SUBJECT)).allowed


async def test_every_limit_key_expires(redis):
    limits = limiter(redis, Clock())
    await limits.check(SUBJECT)
    await limits.spend("tenant-1", 120)
    keys = await redis.keys("*")
    assert len(keys) == 6
    assert all([await redis.pttl(key) > 0 for key in keys])


async def test_two_replicas_on_one_redis_enforce_one_limit(redis, redis_url, fake_llm, settings_overrides):
    """Two complete pipelines with their own Redis clients, racing: exactly the limit gets through."""
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    overrides = {
        **settings_overrides,
        "openai_base_url": fake_llm.base_url,
        "consent_required": False,
        "rate_limit_per_user": "5/1h",
    }
    settings = load_settings(env_file=None, **overrides)
    apps = [build_app(settings, client, hash_secret=SECRET, languages=shared_languages()) for client in clients]
    try:
        messages = [
            apps[number % 2].pipeline.handle(message(apps[number % 2], f"hello {number}", conversation=f"c{number}"))
            for number in range(12)
        ]
        replies = await asyncio.gather(*messages)
    finally:
        for app in apps:
            await app.llm.aclose()
            await app.redis.aclose()
    kinds = sorted(reply.kind for reply in replies)
    assert kinds == ["limited"] * 7 + ["llm"] * 5
    assert len(fake_llm.requests) == 5


async def test_a_limited_person_is_told_when_and_what_still_works(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, rate_limit_per_user="1/10m")
    assert (await app.pipeline.handle(message(app, "hi"))).kind == "llm"
    reply = await app.pipeline.handle(message(app, "are you there?"))
    assert reply.kind == "limited"
    assert "in about 10 minutes" in reply.text
    assert all(command in reply.text for command in ("/resources", "/breathe", "/help"))
    assert dict(reply.extra)["limit"] == "user"
    assert reply.actions, "the crisis-lines button is offered"
    # What needs no LLM still works, and a crisis is still answered.
    assert (await app.pipeline.handle(message(app, "/about"))).kind == "about"
    breathe = await app.pipeline.handle(message(app, "/breathe"))
    assert breathe.kind not in ("limited", "llm") and breathe.text
    crisis = await app.pipeline.handle(message(app, "I want to die"))
    assert crisis.kind == "crisis"
    assert len(fake_llm.requests) == 1


async def test_commands_crisis_and_consent_prompts_do_not_use_up_the_limit(make_app, fake_llm):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=True, rate_limit_per_user="1/10m")
    for text in ("hello?", "/about", "I want to die", "/help"):
        await app.pipeline.handle(message(app, text))
    await app.pipeline.handle(message(app, "/consent"))
    reply = await app.pipeline.handle(message(app, "ok, so, about my week"))
    assert reply.kind == "llm"


async def test_the_daily_token_budget_counts_the_tokens_the_api_reported(make_app, fake_llm, redis):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, llm_tokens_per_day_per_tenant=130)
    fake_llm.push(Script(prompt_tokens=70, completion_tokens=20), Script(prompt_tokens=40, completion_tokens=5))
    assert (await app.pipeline.handle(message(app, "one"))).kind == "llm"
    assert (await app.pipeline.handle(message(app, "two", user="bob"))).kind == "llm"
    day = await redis.keys("*:tpd:*")
    assert [int(await redis.get(key)) for key in day] == [135]
    refused = await app.pipeline.handle(message(app, "three", user="carol"))
    assert refused.kind == "limited" and dict(refused.extra)["limit"] == "tokens_day"
    assert "/resources" in refused.text
    assert len(fake_llm.requests) == 2
