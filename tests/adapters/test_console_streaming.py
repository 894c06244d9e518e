"""A reply streamed to the console on a terminal: it shows sentence by sentence as the LLM writes it, and a reply
with no sentence end shows whole once it is complete (only finished sentences are shown early: bot/reply.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from tests.adapters.test_shutdown import spawn, stopped
from tests.fakes.openai_server import Script

SAID = "my sister stopped talking to me"


async def _shown(tmp_path, redis_url, fake_llm, reply: str) -> list[tuple[float, str]]:
    """Each piece of stdout the console wrote while `reply` streamed (a word every 0.15 s), with when it came."""
    fake_llm.push(Script(text=reply, chunk_delay=0.15))
    leader, follower = os.openpty()
    pieces: list[tuple[float, str]] = []
    process = await spawn(tmp_path, redis_url, fake_llm, follower, LLM_STREAM_INTERVAL="0.1")
    try:
        os.close(follower)
        os.write(leader, f"{SAID}\n".encode())
        assert process.stdout is not None
        so_far = ""
        while reply not in so_far:
            chunk = await asyncio.wait_for(process.stdout.read(4096), timeout=30)
            assert chunk, f"the console ended before the reply was complete: {so_far!r}"
            so_far += chunk.decode()
            pieces.append((time.monotonic(), so_far))
        _took, _out, err = await stopped(process, signal.SIGTERM, timeout=20)
    finally:
        os.close(leader)
        if process.returncode is None:
            process.kill()
            await process.communicate()
    assert "Traceback" not in err and SAID not in err
    return pieces


async def test_on_a_terminal_a_reply_shows_its_first_sentence_while_the_rest_is_still_written(
    tmp_path, redis_url, fake_llm
):
    reply = "That sounds painful. It makes sense that her silence weighs on you, and I am here to listen."
    pieces = await _shown(tmp_path, redis_url, fake_llm, reply)
    first = next(at for at, text in pieces if "That sounds painful." in text)
    whole = pieces[-1][0]
    assert whole - first > 0.8, "the first sentence showed only with the rest (15 words, about 2 s, after it)"


async def test_on_a_terminal_a_reply_with_no_sentence_end_shows_whole_at_the_end(tmp_path, redis_url, fake_llm):
    reply = "it sounds like her silence has worn you down and you are carrying more than anyone can see"
    pieces = await _shown(tmp_path, redis_url, fake_llm, reply)
    assert all(reply in text for _, text in pieces if "it sounds like" in text)
