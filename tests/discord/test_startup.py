"""`python -m bot` with DISCORD_TOKEN set, as an operator runs it, against the stand-in."""

from __future__ import annotations

import asyncio
import signal
import sys

from tests.adapters.test_console import bot_env
from tests.discord.people import ALICE


async def spawn(discord_server, redis_url, cwd, *args, **env_values):
    env = bot_env(
        ID_HASH_SECRET="test-secret-0123456789abcdef",
        REDIS_URL=redis_url,
        DISCORD_API_BASE_URL=discord_server.base_url,
        DISCORD_GATEWAY_URL=discord_server.gateway_url,
        DISCORD_GUILD_READY_TIMEOUT="0.05",
        **env_values,
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_python_m_bot_runs_discord_when_a_token_is_set_and_stops_cleanly(discord_server, redis_url, tmp_path):
    process = await spawn(discord_server, redis_url, tmp_path, DISCORD_TOKEN="test-token")
    try:
        await discord_server.wait_ready(timeout=30)
        await discord_server.send_message("hello", author=ALICE, guild=False)
        reply = await discord_server.wait_for_text(discord_server.dm_channel(ALICE), "no language model")
    finally:
        process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)

    assert "automated" in reply.content  # the first-contact introduction comes first
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    assert "voice will NOT be supported" not in err.decode()  # Hearth never uses voice: no noise at start-up
    assert out == b""


async def exit_of(process):
    _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    return process.returncode, err.decode()


async def test_a_token_discord_refuses_is_one_clear_line_not_a_traceback(discord_server, redis_url, tmp_path):
    code, err = await exit_of(await spawn(discord_server, redis_url, tmp_path, "discord", DISCORD_TOKEN="wrong"))

    assert code == 2
    assert "DISCORD_TOKEN was refused" in err and "Traceback" not in err


async def test_a_missing_message_content_intent_is_one_clear_line(discord_server, redis_url, tmp_path):
    discord_server.message_content_allowed = False

    code, err = await exit_of(await spawn(discord_server, redis_url, tmp_path, "discord", DISCORD_TOKEN="test-token"))

    assert code == 2
    assert "Message Content intent" in err and "Traceback" not in err
