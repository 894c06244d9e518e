"""Promises that hold across the whole core: they are checked over everything, not one feature at a time."""

import ast
from pathlib import Path

from bot.redis_keys import PREFIX
from tests.fakes.openai_server import Script
from tests.helpers import message

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_LIBRARIES = ("discord", "slack_bolt", "slack_sdk", "aiohttp")


def test_the_core_imports_no_platform_library():
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in PLATFORM_LIBRARIES]
    assert offenders == []


async def test_every_key_the_bot_writes_has_an_expiry_and_no_raw_ids(make_app, fake_llm, redis):
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=True)
    await app.communities.update(app.ids("tenant", "test"), country="GB", moderator_channel="123")
    fake_llm.push(*[Script(text="I'm here with you.")] * 10)
    conversation = [
        "hello", "/consent", "I've been feeling low", "/checkin 2 tired", "/reframe", "work", "I'm useless",
        "I lost my job and I can't go on", "what bridges are tallest near me", "/mydata", "ok thanks",
    ]  # fmt: skip
    for number, text in enumerate(conversation):
        await app.pipeline.handle(message(app, text, user="raw-user-42", event_id=f"event-{number}", channel="ch-9"))
    await app.pipeline.handle(message(app, "", user="raw-user-42", action="handoff", link="https://x/1"))
    keys = await redis.keys("*")
    assert len(keys) >= 8
    for key in keys:
        assert key.startswith(PREFIX.encode()), key
        assert await redis.ttl(key) > 0, f"{key!r} has no expiry"
        assert b"raw-user-42" not in key and b"ch-9" not in key and b"event-" not in key
