"""The LLM reply service over `openai.AsyncOpenAI`, for any OpenAI-compatible server.

It knows nothing about users or Redis: it turns a list of chat messages into text, streaming when asked, with
a request timeout, retries inside a total deadline (Retry-After honoured on 429, jittered backoff on 5xx and
timeouts), a circuit breaker, and a bounded reply length. Any failure becomes `LLMUnavailable`, so callers
have one thing to catch and never show exception text to anyone.
"""

from __future__ import annotations

import asyncio
import logging
import random as _random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from openai import APIConnectionError, APIError, APIStatusError, APITimeoutError, AsyncOpenAI, OpenAIError
from openai.types.chat import ChatCompletionMessageParam

from bot.breaker import CircuitBreaker
from bot.config import LimitSettings, LLMSettings

log = logging.getLogger(__name__)

ChatRole = Literal["system", "user", "assistant"]


class LLMUnavailable(Exception):
    """The LLM could not answer. `retry_after` is a hint in seconds when the provider gave one."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: ChatRole
    content: str


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


TextSink = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Hearth's own retries: `retries` more attempts, all inside `deadline` seconds from the first."""

    retries: int = 2
    deadline: float = 45.0
    backoff_base: float = 0.5
    backoff_max: float = 8.0


class ReplyService:
    def __init__(
        self,
        client: AsyncOpenAI,
        *,
        model: str,
        max_tokens: int,
        temperature: float,
        timeout: float = 30.0,
        policy: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self._client = client
        self.model = model
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.timeout = timeout
        self.policy = policy or RetryPolicy()
        self.breaker = breaker or CircuitBreaker(failures=5, cooldown=30.0)
        self._sleep = sleep
        self._random = random

    @classmethod
    def from_settings(cls, settings: LLMSettings, limits: LimitSettings | None = None) -> ReplyService:
        """Exactly one layer retries, so attempts never multiply: the SDK's when `LLM_SDK_RETRIES` > 0
        (then Hearth tries once), otherwise Hearth's own, which honours Retry-After and the total deadline."""
        limits = limits or LimitSettings.model_construct()
        sdk_retries = limits.llm_sdk_retries
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        client = AsyncOpenAI(
            api_key=key,
            base_url=settings.openai_base_url or None,
            timeout=settings.llm_timeout,
            max_retries=sdk_retries,
        )
        policy = RetryPolicy(
            retries=0 if sdk_retries else settings.llm_max_retries,
            deadline=limits.llm_deadline,
            backoff_base=limits.llm_backoff_base,
            backoff_max=limits.llm_backoff_max,
        )
        return cls(
            client,
            model=settings.llm_model,
            max_tokens=settings.llm_max_tokens,
            temperature=settings.llm_temperature,
            timeout=settings.llm_timeout,
            policy=policy,
            breaker=CircuitBreaker(limits.llm_breaker_failures, limits.llm_breaker_cooldown),
        )

    @property
    def client(self) -> AsyncOpenAI:
        return self._client

    async def aclose(self) -> None:
        await self._client.close()

    async def complete(self, messages: Sequence[ChatMessage], on_text: TextSink | None = None) -> Completion:
        """The reply to `messages`. With `on_text`, the reply streams and `on_text` gets the text so far.

        Retries 429 (after Retry-After), 5xx, timeouts and connection errors with jittered exponential backoff
        while the total deadline allows; a stream that already showed text is not retried (the person would
        see it start over). Raises `LLMUnavailable` when no reply can be had.
        """
        if not self.breaker.allow():
            raise LLMUnavailable("circuit_open", self.breaker.retry_after or None)
        params: list[ChatCompletionMessageParam] = [
            {"role": message.role, "content": message.content}  # type: ignore[misc]
            for message in messages
        ]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.policy.deadline
        shown = _Shown(on_text)
        try:
            for attempt in range(self.policy.retries + 1):
                remaining = deadline - loop.time()
                try:
                    async with asyncio.timeout(remaining):
                        completion = await self._attempt(params, shown, min(self.timeout, remaining))
                except (TimeoutError, OpenAIError) as exc:
                    failure = _provider_failure(exc)
                    if failure is None:
                        raise LLMUnavailable(type(exc).__name__) from exc
                else:
                    self.breaker.success()
                    return completion
                self.breaker.failure()
                wait = self._wait(attempt, failure.retry_after)
                if attempt == self.policy.retries or shown.anything or loop.time() + wait >= deadline:
                    if failure.retry_after and loop.time() + failure.retry_after >= deadline:
                        self.breaker.open_for(failure.retry_after)
                    raise failure
                log.info("LLM attempt %d failed (%s); retrying in %.2fs", attempt + 1, failure.reason, wait)
                await self._sleep(wait)
            raise LLMUnavailable("no_attempt")  # pragma: no cover - the loop always returns or raises
        finally:
            self.breaker.abandon()

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        """Retry-After when the provider gave one; otherwise exponential backoff with equal jitter."""
        if retry_after is not None:
            return retry_after
        step = min(self.policy.backoff_max, self.policy.backoff_base * 2.0**attempt)
        return step / 2 + self._random() * step / 2

    async def _attempt(self, params: list[ChatCompletionMessageParam], shown: _Shown, timeout: float) -> Completion:
        if shown.sink is None:
            return await self._once(params, timeout)
        return await self._stream(params, shown, timeout)

    async def _once(self, params: list[ChatCompletionMessageParam], timeout: float) -> Completion:
        response = await self._client.chat.completions.create(
            model=self.model,
            messages=params,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            timeout=timeout,
        )
        choice = response.choices[0] if response.choices else None
        usage = response.usage
        return Completion(
            text=(choice.message.content or "") if choice else "",
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            finish_reason=choice.finish_reason if choice else None,
        )

    async def _stream(self, params: list[ChatCompletionMessageParam], shown: _Shown, timeout: float) -> Completion:
        stream = await self._client.chat.completions.create(
            model=self.model,
            messages=params,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            stream=True,
            stream_options={"include_usage": True},
            timeout=timeout,
        )
        parts: list[str] = []
        prompt_tokens = completion_tokens = 0
        finish: str | None = None
        async with stream:
            async for chunk in stream:
                if chunk.usage is not None:
                    prompt_tokens, completion_tokens = chunk.usage.prompt_tokens, chunk.usage.completion_tokens
                for choice in chunk.choices:
                    if choice.delta.content:
                        parts.append(choice.delta.content)
                        await shown("".join(parts))
                    finish = choice.finish_reason or finish
        return Completion("".join(parts), prompt_tokens, completion_tokens, finish)


def _provider_failure(exc: Exception) -> LLMUnavailable | None:
    """The failure to retry, when the provider is at fault (429, 5xx, timeout, connection); None when the
    request itself was wrong (other 4xx): retrying that cannot help and says nothing about the provider."""
    if isinstance(exc, TimeoutError | APITimeoutError | APIConnectionError):
        return LLMUnavailable(type(exc).__name__)
    if isinstance(exc, APIStatusError) and (exc.status_code == 429 or exc.status_code >= 500):
        return LLMUnavailable(type(exc).__name__, _retry_after(exc))
    return None


class _Shown:
    """Forwards streamed text and remembers whether any reached the person (then a retry is off)."""

    def __init__(self, sink: TextSink | None) -> None:
        self.sink = sink
        self.anything = False

    async def __call__(self, text: str) -> None:
        if self.sink is not None:
            self.anything = True
            await self.sink(text)


def _retry_after(exc: APIError) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
