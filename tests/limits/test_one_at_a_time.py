"""Duplicates answered once; one reply at a time per conversation; the per-process LLM cap."""

import asyncio

from bot.convlock import ConversationLock
from bot.redis_keys import UserKeys
from tests.fakes.openai_server import Script
from tests.helpers import message


def chat_app(make_app, fake_llm, **more):
    return make_app(openai_base_url=fake_llm.base_url, consent_required=False, conversation_poll=0.01, **more)


async def test_an_event_delivered_twice_is_answered_once(make_app, fake_llm):
    app = chat_app(make_app, fake_llm)
    first = await app.pipeline.handle(message(app, "hello", event_id="evt-1"))
    again = await app.pipeline.handle(message(app, "hello", event_id="evt-1"))
    other = await app.pipeline.handle(message(app, "hello", event_id="evt-2"))
    assert first.kind == "llm" and other.kind == "llm"
    assert (again.kind, again.text) == ("duplicate", "")
    assert len(fake_llm.requests) == 2


async def test_a_redelivered_crisis_message_is_still_answered(make_app, fake_llm):
    app = chat_app(make_app, fake_llm)
    replies = [await app.pipeline.handle(message(app, "I want to die", event_id="evt-9")) for _ in range(2)]
    assert [reply.kind for reply in replies] == ["crisis", "crisis"]


async def test_the_dedupe_key_holds_no_raw_event_id_and_expires(make_app, fake_llm, redis):
    app = chat_app(make_app, fake_llm, dedupe_ttl=120)
    await app.pipeline.handle(message(app, "/help", event_id="1234567890"))
    keys = await redis.keys("hearth:dedupe:*")
    assert len(keys) == 1 and b"1234567890" not in keys[0]
    assert 0 < await redis.ttl(keys[0]) <= 120


async def test_messages_sent_while_a_reply_is_written_are_answered_together_next_in_order(make_app, fake_llm, redis):
    app = chat_app(make_app, fake_llm)
    fake_llm.push(Script(text="First reply.", delay=0.8), Script(text="Second reply."))
    first = asyncio.create_task(app.pipeline.handle(message(app, "my week was hard")))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(app.pipeline.handle(message(app, "especially at work")))
    await asyncio.sleep(0.05)
    third = asyncio.create_task(app.pipeline.handle(message(app, "and my boss yelled")))
    replies = await asyncio.gather(first, second, third)
    assert replies[0].text.endswith("First reply.")
    later = sorted((reply.kind, reply.text.split("\n\n")[-1]) for reply in replies[1:])
    assert later == [("folded", ""), ("llm", "Second reply.")]
    assert len(fake_llm.requests) == 2, "never answered in parallel: one LLM call per turn"
    sent = [(m["role"], m["content"]) for m in fake_llm.requests[1]["messages"][1:]]
    assert sent == [
        ("user", "my week was hard"),
        ("assistant", "First reply."),
        ("user", "especially at work\n\nand my boss yelled"),
    ]
    msg = message(app, "x")
    assert await redis.exists(UserKeys(msg.user).lock(msg.conversation)) == 0
    assert await redis.llen(UserKeys(msg.user).pending(msg.conversation)) == 0


async def test_a_crisis_message_never_waits_for_the_reply_in_progress(make_app, fake_llm):
    app = chat_app(make_app, fake_llm)
    fake_llm.push(Script(text="slow", delay=0.8))
    slow = asyncio.create_task(app.pipeline.handle(message(app, "hello")))
    await asyncio.sleep(0.1)
    crisis = await app.pipeline.handle(message(app, "I want to kill myself"))
    assert crisis.kind == "crisis" and not slow.done()
    assert (await slow).text.endswith("slow")


async def test_different_people_in_one_channel_are_answered_in_parallel(make_app, fake_llm):
    app = chat_app(make_app, fake_llm)
    fake_llm.push(Script(text="to alice", delay=0.8), Script(text="to bob", delay=0.8))
    tasks = [
        asyncio.create_task(app.pipeline.handle(message(app, "hi", user=person, conversation="general")))
        for person in ("alice", "bob")
    ]
    while len(fake_llm.requests) < 2 and not any(task.done() for task in tasks):
        await asyncio.sleep(0.01)
    assert len(fake_llm.requests) == 2 and not any(task.done() for task in tasks), "bob did not wait for alice"
    replies = await asyncio.gather(*tasks)
    assert sorted(reply.kind for reply in replies) == ["llm", "llm"]


async def test_past_the_llm_cap_and_its_queue_people_get_the_busy_reply_and_keep_their_words(make_app, fake_llm, redis):
    app = chat_app(make_app, fake_llm, llm_max_concurrency=1, llm_queue_size=1, llm_queue_wait=5)
    fake_llm.push(Script(text="a", delay=0.6), Script(text="b"))
    people = ["ann", "ben", "cat"]
    tasks = []
    for person in people:
        tasks.append(asyncio.create_task(app.pipeline.handle(message(app, f"hi from {person}", user=person))))
        await asyncio.sleep(0.05)
    replies = await asyncio.gather(*tasks)
    # Who reaches the cap third depends on the machine's load, not on who wrote first: any one of them.
    kinds = [reply.kind for reply in replies]
    assert sorted(kinds) == ["busy", "llm", "llm"]
    turned_away = people[kinds.index("busy")]
    assert "/resources" in replies[kinds.index("busy")].text
    msg = message(app, "x", user=turned_away)
    kept = await redis.lrange(UserKeys(msg.user).context(msg.conversation), 0, -1)
    assert len(kept) == 1 and f"hi from {turned_away}".encode() in kept[0]


async def test_a_queued_message_gets_the_busy_reply_when_no_slot_frees_in_time(make_app, fake_llm):
    app = chat_app(make_app, fake_llm, llm_max_concurrency=1, llm_queue_size=5, llm_queue_wait=0.1)
    fake_llm.push(Script(text="a", delay=0.4))
    first = asyncio.create_task(app.pipeline.handle(message(app, "one", user="ann")))
    await asyncio.sleep(0.05)
    second = await app.pipeline.handle(message(app, "two", user="ben"))
    assert second.kind == "busy"
    assert (await first).kind == "llm"


async def test_waiting_text_is_listed_by_mydata_and_erased_by_forget(make_app, fake_llm, redis):
    app = chat_app(make_app, fake_llm)
    msg = message(app, "x")
    lock = ConversationLock(redis, ttl=60, wait=0, poll=0.01)
    # Another turn of this conversation holds the lock.
    assert await redis.set(UserKeys(msg.user).lock(msg.conversation), lock.new_token(), px=60_000, nx=True)
    _, state = await lock.wait_turn(msg.user, msg.conversation, "a message that is still waiting")
    assert state is None, "the lock is held, and this waiter gives up at once"
    listed = await app.pipeline.handle(message(app, "/mydata"))
    assert "a message of yours waiting for my reply (1 waiting)" in listed.text
    await app.pipeline.handle(message(app, "/forget"))
    assert await redis.exists(UserKeys(msg.user).pending(msg.conversation)) == 0
