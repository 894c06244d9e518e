from bot.context import ContextStore
from bot.ids import Pseudonymizer
from bot.redis_keys import UserKeys
from tests.helpers import message


def store(redis, **overrides):
    options = {"ttl": 1800, "max_turns": 6, "max_chars": 1000, "flag_ttl": 86400, "crisis_ttl": 3600}
    options.update(overrides)
    return ContextStore(redis, **options)


async def all_keys(redis):
    return [key.decode() for key in await redis.keys("*")]


async def test_turns_come_back_in_order_and_bounded_by_count(redis):
    context = store(redis)
    for number in range(10):
        await context.save("u1", "c1", turns=[("user", f"message {number}"), ("assistant", f"reply {number}")])
    session = await context.load("u1", "c1", "t1")
    assert [turn.text for turn in session.turns] == [
        "message 7", "reply 7", "message 8", "reply 8", "message 9", "reply 9",
    ]  # fmt: skip


async def test_old_turns_are_dropped_to_fit_the_character_budget(redis):
    context = store(redis, max_chars=250)
    for number in range(4):
        await context.save("u1", "c1", turns=[("user", f"{number}" * 100)])
    session = await context.load("u1", "c1", "t1")
    assert [turn.text[0] for turn in session.turns] == ["2", "3"]


async def test_every_key_written_has_an_expiry(redis):
    context = store(redis)
    await context.save("u1", "c1", turns=[("user", "hi")], flags=["consent", "disclaimer"], crisis={"mode": "crisis"})
    keys = await all_keys(redis)
    assert len(keys) == 5
    for key in keys:
        assert await redis.ttl(key) > 0, key


async def test_the_context_expiry_is_refreshed_on_use(redis):
    context = store(redis, ttl=100)
    await context.save("u1", "c1", turns=[("user", "hi")])
    key = UserKeys("u1").context("c1")
    await redis.expire(key, 5)
    await context.save("u1", "c1", turns=[("user", "again")])
    assert await redis.ttl(key) > 90


async def test_forget_erases_everything_about_the_user_and_nothing_else(redis):
    context = store(redis)
    await context.save("u1", "c1", turns=[("user", "my secret")], flags=["consent"], crisis={"mode": "crisis"})
    await context.save("u1", "c2", turns=[("user", "another conversation")])
    await context.save("u2", "c1", turns=[("user", "someone else")])
    await context.forget("u1")
    remaining = await all_keys(redis)
    assert remaining and all("{u2}" in key for key in remaining)
    session = await context.load("u1", "c1", "t1")
    assert session.turns == [] and not session.consent and session.crisis == {}


async def test_describe_says_what_is_held_and_when_it_goes(redis):
    context = store(redis)
    assert await context.describe("u1") == []
    await context.save("u1", "c1", turns=[("user", "a"), ("assistant", "b")], flags=["consent"])
    held = {item.kind: (item.count, item.expires_in) for item in await context.describe("u1")}
    assert held["ctx"][0] == 2 and "consent" in held
    assert all(0 < seconds <= 86400 for _, seconds in held.values())


async def test_a_down_redis_gives_an_empty_session_not_an_error(tmp_path):
    from redis.asyncio import Redis

    broken = Redis.from_url(f"unix://{tmp_path}/missing.sock", socket_connect_timeout=0.5)
    session = await store(broken).load("u1", "c1", "t1")
    await broken.aclose()
    assert session.available is False and session.turns == []


def test_pseudonyms_are_stable_keyed_and_separated_by_kind():
    ids = Pseudonymizer(b"k" * 32)
    assert ids("user", "discord", "123") == ids("user", "discord", "123")
    assert ids("user", "discord", "123") != ids("conversation", "discord", "123")
    assert ids("user", "discord", "123") != Pseudonymizer(b"j" * 32)("user", "discord", "123")
    assert "123" not in ids("user", "discord", "123")


async def test_the_language_a_message_says_is_kept_with_the_context_expiry_listed_and_forgotten(redis):
    context = store(redis, ttl=100)
    assert (await context.load("u1", "c1", "t1", said="fr")).language is None  # what was held before it
    assert (await context.load("u1", "c1", "t1")).language == "fr"  # a message that says nothing keeps it
    assert (await context.load("u1", "c2", "t1")).language is None  # another conversation's
    key = UserKeys("u1").language("c1")
    assert 0 < await redis.ttl(key) <= 100 and await redis.ttl(UserKeys("u1").index) >= 100
    assert [(item.kind, item.count) for item in await context.describe("u1")] == [("lang", 1)]
    await context.forget("u1")
    assert await all_keys(redis) == []


async def test_a_crisis_in_one_conversation_is_read_in_the_persons_others_and_forget_erases_it(make_app, redis):
    # A crisis told in a server channel is answered by DM: that DM, another conversation, must know of it.
    app = make_app(default_country="GB")
    assert (await app.pipeline.handle(message(app, "i want to kill myself", conversation="thread"))).kind == "crisis"
    after = await app.pipeline.handle(message(app, "ok", conversation="dm"))
    assert after.kind == "no_llm" and "116 123" in after.text
    held = await app.pipeline.handle(message(app, "/mydata", conversation="dm"))
    assert "your other conversations with me" in held.text
    assert "116 123" not in (await app.pipeline.handle(message(app, "ok", user="bob", conversation="dm"))).text
    await app.pipeline.handle(message(app, "/forget", conversation="dm"))
    assert "116 123" not in (await app.pipeline.handle(message(app, "ok", conversation="elsewhere"))).text
    assert not [key for key in await redis.keys("*") if b"safety" in key]
