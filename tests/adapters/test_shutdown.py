"""Stopping `python -m bot` as docker stop, a systemd restart or Ctrl-C does: SIGTERM or SIGINT while a reply
is being written. The reply in flight is finished and printed within the grace, and the exit is clean.

stdin stays open throughout, as on a terminal or a pipe from another program: the process ends because of the
signal, never because its input ran out.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

from tests.adapters.test_console import ROOT, bot_env
from tests.fakes.openai_server import Script

SAID = "my sister stopped talking to me"
REPLY = "That sounds painful. It makes sense that her silence weighs on you, and I am here to listen."


async def spawn(cwd, redis_url, fake_llm, stdin, **env):
    values = {
        "REDIS_URL": redis_url,
        "ID_HASH_SECRET": "test-secret-0123456789abcdef",
        "OPENAI_BASE_URL": fake_llm.base_url,
        "CONSENT_REQUIRED": "false",
        "LOG_LEVEL": "INFO",
        **env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "console",
        stdin=stdin, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        cwd=cwd, env={**bot_env(**values), "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


async def stopped(process, sig, timeout):
    """Send `sig` and wait for the exit; the seconds it took, stdout and stderr."""
    started = time.monotonic()
    process.send_signal(sig)
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"still running {timeout}s after {sig.name}") from None
    return time.monotonic() - started, out.decode(), err.decode()


async def test_sigterm_mid_reply_finishes_the_reply_then_exits_0(tmp_path, redis_url, fake_llm):
    fake_llm.push(Script(text=REPLY, delay=2.0))
    process = await spawn(tmp_path, redis_url, fake_llm, asyncio.subprocess.PIPE, SHUTDOWN_GRACE_SECONDS="10")
    assert process.stdin is not None
    process.stdin.write(f"{SAID}\n".encode())
    await process.stdin.drain()
    await fake_llm.wait_for_requests(1)

    took, out, err = await stopped(process, signal.SIGTERM, timeout=20)

    assert process.returncode == 0, err
    assert REPLY in out  # the whole reply, though the LLM was still writing it when the signal came
    assert took < 10, f"took {took:.1f}s: longer than the grace"
    assert "stopping on SIGTERM: nothing was left in flight" in err
    assert "Traceback" not in err
    assert SAID not in err  # logs never hold what the person wrote
    process.stdin.close()


async def test_ctrl_c_mid_streamed_reply_on_a_terminal_shows_all_of_it(tmp_path, redis_url, fake_llm):
    """On a terminal the reply streams as it is written; SIGINT while it does still lets it finish."""
    fake_llm.push(Script(text=REPLY, chunk_delay=0.15))  # 18 words: about 2.7 s of streaming
    leader, follower = os.openpty()
    try:
        process = await spawn(tmp_path, redis_url, fake_llm, follower, SHUTDOWN_GRACE_SECONDS="10")
        os.close(follower)
        os.write(leader, f"{SAID}\n".encode())
        await fake_llm.wait_for_requests(1)
        assert fake_llm.requests[0]["stream"] is True

        took, out, err = await stopped(process, signal.SIGINT, timeout=20)
    finally:
        os.close(leader)

    assert process.returncode == 0, err
    assert "hearth> " in out and REPLY in out
    assert took < 10, f"took {took:.1f}s: longer than the grace"
    assert "stopping on SIGINT: nothing was left in flight" in err
    assert "Traceback" not in err and SAID not in err


async def test_a_reply_longer_than_the_grace_is_cut_off_and_the_exit_is_still_prompt_and_clean(
    tmp_path, redis_url, fake_llm
):
    fake_llm.push(Script(text=REPLY, delay=4.0))
    process = await spawn(tmp_path, redis_url, fake_llm, asyncio.subprocess.PIPE, SHUTDOWN_GRACE_SECONDS="0.5")
    assert process.stdin is not None
    process.stdin.write(f"{SAID}\n".encode())
    await process.stdin.drain()
    await fake_llm.wait_for_requests(1)

    took, out, err = await stopped(process, signal.SIGTERM, timeout=15)

    assert process.returncode == 0, err
    assert took < 3, f"took {took:.1f}s to stop with a 0.5 s grace"
    assert REPLY not in out
    assert "stopping on SIGTERM: 1 message(s) still in flight after the 0.5s grace were cut off" in err
    assert "Traceback" not in err and SAID not in err
    process.stdin.close()
