"""A local HTTP server that speaks the OpenAI chat-completions API, for tests.

The real `openai` client talks to it over a real socket through `OPENAI_BASE_URL`. Tests script what it does
next: answer (streaming or not), answer slowly (`delay` before answering, `chunk_delay` between streamed
words; `wait_for_requests` tells when the request is in), or fail with a status and an optional Retry-After.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Script:
    """One scripted answer. `status` other than 200 sends an error body instead of text."""

    text: str = "I hear you. That sounds like a lot to carry."
    status: int = 200
    retry_after: float | None = None
    delay: float = 0.0
    chunk_delay: float = 0.0
    prompt_tokens: int = 50
    completion_tokens: int = 20


@dataclass
class FakeOpenAI:
    """Holds the queue of scripted answers and every request received."""

    default: Script = field(default_factory=Script)
    queue: list[Script] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    moderation_flagged: bool = False
    moderation_status: int = 200
    moderation_requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""
    _runner: web.AppRunner | None = None

    def push(self, *scripts: Script) -> None:
        self.queue.extend(scripts)

    async def wait_for_requests(self, count: int = 1, timeout: float = 30.0) -> None:
        """Until `count` chat requests have arrived (e.g. a reply is now being written, slowly)."""
        async with asyncio.timeout(timeout):
            while len(self.requests) < count:
                await asyncio.sleep(0.01)

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return self.requests

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/moderations", self._moderations)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        script = self.queue.pop(0) if self.queue else self.default
        if script.delay:
            await asyncio.sleep(script.delay)
        if script.status != 200:
            headers = {"Retry-After": str(script.retry_after)} if script.retry_after is not None else {}
            error = {"error": {"message": "scripted failure", "type": "server_error", "code": None}}
            return web.json_response(error, status=script.status, headers=headers)
        usage = {
            "prompt_tokens": script.prompt_tokens,
            "completion_tokens": script.completion_tokens,
            "total_tokens": script.prompt_tokens + script.completion_tokens,
        }
        if body.get("stream"):
            return await self._stream(request, body, script, usage)
        return web.json_response(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "test"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": script.text}, "finish_reason": "stop"}
                ],
                "usage": usage,
            }
        )

    async def _stream(
        self, request: web.Request, body: dict[str, Any], script: Script, usage: dict[str, int]
    ) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        words = script.text.split(" ")
        for position, word in enumerate(words):
            piece = word if position == 0 else " " + word
            await response.write(_sse(_chunk(body, {"content": piece}, None)))
            if script.chunk_delay:
                await asyncio.sleep(script.chunk_delay)
        await response.write(_sse(_chunk(body, {}, "stop")))
        if (body.get("stream_options") or {}).get("include_usage"):
            final = _chunk(body, {}, None)
            final["choices"] = []
            final["usage"] = usage
            await response.write(_sse(final))
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _moderations(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.moderation_requests.append(body)
        if self.moderation_status != 200:
            return web.json_response({"error": {"message": "scripted"}}, status=self.moderation_status)
        flagged = self.moderation_flagged
        categories = {"self-harm": flagged, "self-harm/intent": flagged, "self-harm/instructions": False}
        scores = {name: (0.9 if value else 0.01) for name, value in categories.items()}
        return web.json_response(
            {
                "id": "modr-test",
                "model": "omni-moderation-latest",
                "results": [{"flagged": flagged, "categories": categories, "category_scores": scores}],
            }
        )


def _chunk(body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "test"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _sse(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()
