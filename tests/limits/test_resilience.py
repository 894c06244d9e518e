"""The LLM service against a local OpenAI stand-in that answers 429, 500 or slowly."""

import pytest
from openai import AsyncOpenAI

from bot.breaker import BreakerState, CircuitBreaker
from bot.config import load_settings
from bot.llm import ChatMessage, LLMUnavailable, ReplyService, RetryPolicy
from bot.redis_keys import UserKeys
from tests.fakes.openai_server import Script
from tests.helpers import message

HELLO = [ChatMessage("user", "hello")]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Sleeps:
    """Records every wait the service asked for, and waits no real time."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
async def service_for(fake_llm):
    made: list[ReplyService] = []

    def factory(**options) -> ReplyService:
        client = AsyncOpenAI(api_key="x", base_url=fake_llm.base_url, max_retries=0)
        options.setdefault("policy", RetryPolicy(retries=2, deadline=10))
        service = ReplyService(client, model="m", max_tokens=50, temperature=0, **options)
        made.append(service)
        return service

    yield factory
    for service in made:
        await service.aclose()


async def test_a_429_is_retried_after_exactly_the_retry_after_the_server_gave(service_for, fake_llm):
    sleeps = Sleeps()
    service = service_for(sleep=sleeps)
    fake_llm.push(Script(status=429, retry_after=1), Script(text="back again"))
    completion = await service.complete(HELLO)
    assert completion.text == "back again"
    assert len(fake_llm.requests) == 2
    assert sleeps.waits == [1.0]


async def test_server_errors_are_retried_with_growing_jittered_waits_then_given_up(service_for, fake_llm):
    sleeps = Sleeps()
    service = service_for(sleep=sleeps, policy=RetryPolicy(retries=2, deadline=10, backoff_base=1, backoff_max=8))
    fake_llm.push(Script(status=500), Script(status=502), Script(status=500))
    with pytest.raises(LLMUnavailable):
        await service.complete(HELLO)
    assert len(fake_llm.requests) == 3
    first, second = sleeps.waits
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 2.0


async def test_a_retry_after_past_the_deadline_is_not_waited_for_and_stops_further_calls(service_for, fake_llm):
    clock = Clock()
    sleeps = Sleeps()
    service = service_for(sleep=sleeps, breaker=CircuitBreaker(failures=5, cooldown=1, clock=clock))
    fake_llm.push(Script(status=429, retry_after=60))
    with pytest.raises(LLMUnavailable) as raised:
        await service.complete(HELLO)
    assert raised.value.retry_after == 60
    assert sleeps.waits == [] and len(fake_llm.requests) == 1
    with pytest.raises(LLMUnavailable):
        await service.complete(HELLO)
    assert len(fake_llm.requests) == 1, "the provider said wait a minute: nobody calls it meanwhile"
    clock.now = 60
    assert (await service.complete(HELLO)).text


async def test_a_slow_provider_is_cut_off_at_the_total_deadline(service_for, fake_llm):
    service = service_for(policy=RetryPolicy(retries=3, deadline=0.3))
    fake_llm.push(Script(delay=1.0))
    with pytest.raises(LLMUnavailable):
        await service.complete(HELLO)
    assert len(fake_llm.requests) == 1


async def test_the_breaker_opens_after_repeated_failures_and_closes_after_a_good_trial(service_for, fake_llm):
    clock = Clock()
    breaker = CircuitBreaker(failures=2, cooldown=30, clock=clock)
    service = service_for(policy=RetryPolicy(retries=0, deadline=5), breaker=breaker)
    fake_llm.push(Script(status=500), Script(status=503))
    for _ in range(2):
        with pytest.raises(LLMUnavailable):
            await service.complete(HELLO)
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(LLMUnavailable) as raised:
        await service.complete(HELLO)
    assert raised.value.reason == "circuit_open" and raised.value.retry_after == 30
    assert len(fake_llm.requests) == 2, "an open breaker sends nothing"
    clock.now = 29.9
    assert not breaker.allow()
    clock.now = 30
    assert (await service.complete(HELLO)).text
    assert breaker.state is BreakerState.CLOSED
    assert len(fake_llm.requests) == 3


async def test_a_failed_trial_opens_the_breaker_again(service_for, fake_llm):
    clock = Clock()
    breaker = CircuitBreaker(failures=1, cooldown=10, clock=clock)
    service = service_for(policy=RetryPolicy(retries=0, deadline=5), breaker=breaker)
    fake_llm.push(Script(status=500), Script(status=500))
    with pytest.raises(LLMUnavailable):
        await service.complete(HELLO)
    clock.now = 10
    with pytest.raises(LLMUnavailable):
        await service.complete(HELLO)
    assert breaker.state is BreakerState.OPEN and breaker.retry_after == 10
    assert len(fake_llm.requests) == 2


async def test_the_sdk_and_hearth_never_both_retry(fake_llm):
    """From the settings, the server sees 1 + LLM_MAX_RETRIES attempts, whichever layer does them."""
    for overrides in ({"llm_max_retries": 2}, {"llm_max_retries": 2, "llm_sdk_retries": 2}):
        fake_llm.requests.clear()
        settings = load_settings(env_file=None, openai_base_url=fake_llm.base_url, llm_backoff_base=0.01, **overrides)
        service = ReplyService.from_settings(settings.llm, settings.limits)
        fake_llm.push(*[Script(status=500, retry_after=0)] * 5)
        try:
            with pytest.raises(LLMUnavailable):
                await service.complete(HELLO)
        finally:
            await service.aclose()
        fake_llm.queue.clear()
        assert len(fake_llm.requests) == 3, overrides


async def test_when_the_llm_is_down_the_person_gets_the_fallback_and_their_words_are_kept(make_app, fake_llm, redis):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False, llm_max_retries=0)
    fake_llm.push(Script(status=500))
    msg = message(app, "nobody at work talks to me")
    reply = await app.pipeline.handle(msg)
    assert reply.kind == "llm_down"
    assert "/resources" in reply.text and reply.actions
    kept = await redis.lrange(UserKeys(msg.user).context(msg.conversation), 0, -1)
    assert len(kept) == 1 and b"nobody at work talks to me" in kept[0]


async def test_a_bad_request_is_not_retried_and_does_not_count_against_the_provider(service_for, fake_llm):
    breaker = CircuitBreaker(failures=1, cooldown=30)
    service = service_for(breaker=breaker)
    fake_llm.push(Script(status=400))
    with pytest.raises(LLMUnavailable):
        await service.complete(HELLO)
    assert len(fake_llm.requests) == 1
    assert breaker.state is BreakerState.CLOSED
