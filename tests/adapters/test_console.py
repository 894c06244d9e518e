"""The console adapter as an operator runs it: `python -m bot` in a subprocess, stdin piped, nothing configured."""

import asyncio
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from redis.asyncio import Redis

from adapters.console.markdown import for_terminal
from tests.fakes.openai_server import Script

ROOT = Path(__file__).resolve().parents[2]
CLEAN_ENV_DROP = (
    "OPENAI",
    "LLM_",
    "REDIS_URL",
    "DISCORD",
    "SLACK",
    "RATE_LIMIT",
    "ID_HASH",
    "CONSENT",
    "DEFAULT_COUNTRY",
)


def bot_env(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(CLEAN_ENV_DROP)}
    env["PYTHONPATH"] = str(ROOT)
    env.update(values)
    return env


async def run_bot(stdin: str, *args: str, cwd: Path, **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        cwd=cwd, env=bot_env(**env),
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


async def test_with_nothing_configured_it_chats_in_the_console_and_exits_cleanly(tmp_path):
    code, out, err = await run_bot("hello\n/about\n", cwd=tmp_path)
    assert code == 0, err
    assert "automated peer-support bot" in out  # the first-contact disclaimer
    assert "no language model is configured" in out  # an honest reply to "hello"
    assert "What I keep" in out  # /about
    assert "Traceback" not in err


async def test_with_no_llm_a_bare_help_after_spanish_chat_is_in_spanish(tmp_path):
    code, out, err = await run_bot("hoy fui al parque con mi hermana\n/help\n", cwd=tmp_path)
    assert code == 0, err
    assert "no está activada la conversación libre" in out and "Esto es lo que puedo hacer" in out
    assert "Here's what I can do" not in out


async def test_a_second_run_is_the_same_person_so_forget_erases_the_first_runs_words(tmp_path, redis_url, fake_llm):
    redis = Redis.from_url(redis_url)
    await redis.flushall()
    env = {
        "REDIS_URL": redis_url,
        "ID_HASH_SECRET": "a-stable-secret-for-this-test",
        "OPENAI_BASE_URL": fake_llm.base_url,
    }
    fake_llm.push(Script(text="I'm listening."))
    code, out, _ = await run_bot("/consent\nmy sister stopped talking to me\n", cwd=tmp_path, **env)
    assert code == 0 and "I'm listening." in out
    assert any(b":ctx:" in key for key in await redis.keys("*"))
    code, out, _ = await run_bot("/mydata\n/forget\n", cwd=tmp_path, **env)
    assert code == 0 and "2 messages" in out and "erased" in out
    # Only the shared rate-limit counters of the conversation, workspace and bot remain (times, no words).
    left = await redis.keys("*{*")
    assert [key for key in left if not key.startswith(b"hearth:{hearth-limits}:") or b":user:" in key] == []
    await redis.aclose()


async def test_a_crisis_message_is_answered_without_any_llm_request(tmp_path, fake_llm):
    code, out, _ = await run_bot(
        "/consent\nI want to kill myself\n", cwd=tmp_path, OPENAI_BASE_URL=fake_llm.base_url, CONSENT_REQUIRED="false"
    )
    assert code == 0
    assert "automated bot" in out
    assert fake_llm.requests == []


async def test_after_a_first_message_crisis_the_console_says_once_what_hearth_keeps(tmp_path):
    code, out, err = await run_bot("I want to kill myself\nok\nok\n", cwd=tmp_path)
    assert code == 0, err
    crisis, rest = out.split("no language model is configured", 1)
    assert "automated bot" in crisis and "/mydata" not in crisis
    assert out.count("I keep our last few messages for") == 1 and "/forget erases it" in rest
    assert "Hi, I'm Hearth" not in out


async def test_a_wrong_setting_stops_start_up_with_one_line_naming_it(tmp_path):
    code, out, err = await run_bot("hello\n", cwd=tmp_path, RATE_LIMIT_PER_USER="abc")
    assert code == 2
    assert err.strip().count("\n") == 0 and "RATE_LIMIT_PER_USER" in err
    assert "Traceback" not in err


async def test_a_missing_redis_server_says_how_to_install_it(tmp_path):
    code, _, err = await run_bot("hello\n", cwd=tmp_path, PATH=str(tmp_path))
    assert code == 2
    assert "apt-get install redis-server" in err and "REDIS_URL" in err


async def test_a_forced_platform_without_its_token_names_the_token(tmp_path):
    code, _, err = await run_bot("", "discord", cwd=tmp_path)
    assert code == 2 and "DISCORD_TOKEN" in err and "Traceback" not in err


async def test_binary_input_does_not_crash_the_console(tmp_path):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, cwd=tmp_path, env=bot_env(),
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(b"\xff\xfe\x00garbage\x80\n/about\n"), timeout=60)
    assert process.returncode == 0, err
    assert b"What I keep" in out and b"Traceback" not in err


async def test_bold_headings_read_as_plain_words_when_piped(tmp_path):
    code, out, _ = await run_bot("/breathe\n/learn sleep\n", cwd=tmp_path)
    assert code == 0
    assert "\nBox breathing\n1. Breathe in" in out and "\nSleep\nSleep and mood" in out
    assert "**" not in out and "\x1b[" not in out


def _run_on_a_terminal(stdin: str, cwd: Path, **env: str) -> str:
    """`python -m bot` with its output on a pseudo-terminal (its input still piped, so it is scripted)."""
    main, child = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "bot"], stdin=subprocess.PIPE, stdout=child, stderr=subprocess.DEVNULL,
        cwd=cwd, env=bot_env(**env),
    ) as process:  # fmt: skip
        os.close(child)
        assert process.stdin is not None
        process.stdin.write(stdin.encode())
        process.stdin.close()
        out = b""
        while chunk := _read(main):
            out += chunk
        process.wait(timeout=60)
    os.close(main)
    return out.decode()


def _read(fd: int) -> bytes:
    if not select.select([fd], [], [], 60)[0]:  # never hang the suite on a bot that did not exit
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the bot has exited and closed the terminal
        return b""


async def test_on_a_terminal_headings_are_bold_unless_no_color_is_set(tmp_path):
    styled = await asyncio.to_thread(_run_on_a_terminal, "/breathe\n", tmp_path, TERM="xterm")
    assert "\x1b[1mBox breathing\x1b[0m" in styled and "**" not in styled
    plain = await asyncio.to_thread(_run_on_a_terminal, "/breathe\n", tmp_path, TERM="xterm", NO_COLOR="1")
    assert "Box breathing" in plain and "\x1b[" not in plain and "**" not in plain


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("**Sleep**\nTry *gently* or _slowly_, __really__.", "Sleep\nTry gently or slowly, really."),
        ("2 * 3 * 4 = 24, snake_case, jo@samaritans.org, **not closed", None),
        ("a **bold** and a * lone star", "a bold and a * lone star"),
    ],
)
def test_only_markers_around_words_are_taken_as_markdown(text, plain):
    assert for_terminal(text, styled=False) == (plain or text)
    assert for_terminal(text, styled=True).replace("\x1b[1m", "").replace("\x1b[3m", "").replace("\x1b[0m", "") == (
        plain or text
    )
