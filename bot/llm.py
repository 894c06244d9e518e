"""The LLM reply service over `openai.AsyncOpenAI`, for any OpenAI-compatible server.

It knows nothing about users or Redis: it turns a list of chat messages into text, streaming when asked, with
a request timeout, the SDK's own retries and a bounded reply length. Any failure becomes `LLMUnavailable`, so
callers have one thing to catch and never show exception text to anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from openai import APIError, AsyncOpenAI, OpenAIError
from openai.types.chat import ChatCompletionMessageParam

from bot.config import LLMSettings

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


class ReplyService:
    def __init__(self, client: AsyncOpenAI, *, model: str, max_tokens: int, temperature: float) -> None:
        self._client = client
        self.model = model
        self.max_tokens = max_tokens
        self.temperature = temperature

    @classmethod
    def from_settings(cls, settings: LLMSettings) -> ReplyService:
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        client = AsyncOpenAI(
            api_key=key,
            base_url=settings.openai_base_url or None,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
        )
        return cls(
            client, model=settings.llm_model, max_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature
        )

    @property
    def client(self) -> AsyncOpenAI:
        return self._client

    async def aclose(self) -> None:
        await self._client.close()

    async def complete(self, messages: Sequence[ChatMessage], on_text: TextSink | None = None) -> Completion:
        """The reply to `messages`. With `on_text`, the reply streams and `on_text` gets the text so far."""
        params: list[ChatCompletionMessageParam] = [
            {"role": message.role, "content": message.content}  # type: ignore[misc]
            for message in messages
        ]
        try:
            if on_text is None:
                return await self._once(params)
            return await self._stream(params, on_text)
        except APIError as exc:
            raise LLMUnavailable(type(exc).__name__, _retry_after(exc)) from exc
        except OpenAIError as exc:
            raise LLMUnavailable(type(exc).__name__) from exc

    async def _once(self, params: list[ChatCompletionMessageParam]) -> Completion:
        response = await self._client.chat.completions.create(
            model=self.model, messages=params, max_tokens=self.max_tokens, temperature=self.temperature
        )
        choice = response.choices[0] if response.choices else None
        usage = response.usage
        return Completion(
            text=(choice.message.content or "") if choice else "",
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            finish_reason=choice.finish_reason if choice else None,
        )

    async def _stream(self, params: list[ChatCompletionMessageParam], on_text: TextSink) -> Completion:
        stream = await self._client.chat.completions.create(
            model=self.model,
            messages=params,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            stream=True,
            stream_options={"include_usage": True},
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
                        await on_text("".join(parts))
                    finish = choice.finish_reason or finish
        return Completion("".join(parts), prompt_tokens, completion_tokens, finish)


def _retry_after(exc: APIError) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
