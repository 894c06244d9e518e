"""What a message costs in Redis, and what happens when Redis is not there."""

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import UnixDomainSocketConnection

from bot.bootstrap import build_app
from bot.config import load_settings
from tests.fakes.openai_server import Script
from tests.helpers import SECRET, message, shared_languages


class CountingConnection(UnixDomainSocketConnection):
    """Counts packets of commands sent: one per command, one per pipeline."""

    sent = 0

    async def send_packed_command(self, command, check_health=True):
        CountingConnection.sent += 1
        await super().send_packed_command(command, check_health)


async def test_a_message_answered_by_the_llm_costs_two_round_trips(redis, redis_server, fake_llm, settings_overrides):
    pool = ConnectionPool(connection_class=CountingConnection, path=str(redis_server.socket))
    counted = Redis(connection_pool=pool)
    overrides = {**settings_overrides, "openai_base_url": fake_llm.base_url, "consent_required": False}
    app = build_app(
        load_settings(env_file=None, **overrides), counted, hash_secret=SECRET, languages=shared_languages()
    )
    try:
        await app.pipeline.handle(message(app, "first contact", event_id="e1"))
        before = CountingConnection.sent
        reply = await app.pipeline.handle(message(app, "and a second message", event_id="e2"))
        assert reply.kind == "llm"
        assert CountingConnection.sent - before == 2
        before = CountingConnection.sent
        await app.pipeline.handle(message(app, "/help", event_id="e3"))
        assert CountingConnection.sent - before == 1, "a command reserves nothing, so gives nothing back"
    finally:
        await app.llm.aclose()
        await counted.aclose()
        await pool.disconnect()


async def test_without_redis_crisis_replies_and_llm_replies_still_come(tmp_path, fake_llm, settings_overrides):
    broken = Redis.from_url(f"unix://{tmp_path}/missing.sock", socket_connect_timeout=0.2)
    overrides = {**settings_overrides, "openai_base_url": fake_llm.base_url, "consent_required": False}
    app = build_app(load_settings(env_file=None, **overrides), broken, hash_secret=SECRET, languages=shared_languages())
    fake_llm.push(Script(text="Still here."))
    try:
        crisis = await app.pipeline.handle(message(app, "I want to end my life", event_id="e1"))
        chat = await app.pipeline.handle(message(app, "hello", event_id="e2"))
    finally:
        await app.llm.aclose()
        await broken.aclose()
    assert crisis.kind == "crisis"
    assert chat.kind == "llm" and chat.text.startswith("Still here.")
    assert "/mydata" in chat.text  # the crisis reply was the introduction: what Hearth keeps follows, once


async def test_connections_redis_closed_while_idle_are_opened_again_without_losing_a_message(make_app, fake_llm, redis):
    """A Redis restart or its idle `timeout` closes the connections the round trips keep between messages."""
    app = make_app(openai_base_url=fake_llm.base_url, consent_required=False)
    fake_llm.push(Script(text="First."), Script(text="Second."))
    first = await app.pipeline.handle(message(app, "hello", event_id="e1"))
    assert await redis.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") >= 1
    second = await app.pipeline.handle(message(app, "are you still there", event_id="e2"))
    assert first.text.endswith("First.") and second.text.endswith("Second.")
    sent = [m["content"] for m in fake_llm.requests[1]["messages"] if m["role"] != "system"]
    assert sent == ["hello", "First.", "are you still there"], "the session was read after the reconnect"
