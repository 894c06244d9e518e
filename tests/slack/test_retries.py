"""The in-process retry guard: a retry waits for the first delivery and is dropped only if that one was answered."""

from __future__ import annotations

import asyncio

from adapters.slack.retries import Deliveries


async def test_a_retry_arriving_mid_answer_waits_and_is_dropped_once_answered():
    deliveries = Deliveries()
    outcomes = []

    async def retry():
        async with deliveries.claim("Ev1", retried=True) as delivery:
            outcomes.append(delivery)

    async with deliveries.claim("Ev1", retried=False) as first:
        waiting = asyncio.create_task(retry())
        await asyncio.sleep(0)
        assert outcomes == []
        first.mark_answered()
    await waiting

    assert outcomes == [None]


async def test_a_retry_after_a_failed_answer_is_handled():
    deliveries = Deliveries()
    async with deliveries.claim("Ev1", retried=False):
        pass  # the answer failed: never marked answered

    async with deliveries.claim("Ev1", retried=True) as retry:
        assert retry is not None


async def test_a_stuck_first_delivery_does_not_hold_the_retry_forever():
    deliveries = Deliveries(wait=0.05)
    async with deliveries.claim("Ev1", retried=False):
        async with deliveries.claim("Ev1", retried=True) as retry:
            assert retry is not None


async def test_only_recent_events_are_remembered():
    deliveries = Deliveries(max_entries=2)
    for event in ("Ev1", "Ev2", "Ev3"):
        async with deliveries.claim(event, retried=False) as delivery:
            delivery.mark_answered()

    async with deliveries.claim("Ev1", retried=True) as forgotten, deliveries.claim("Ev3", retried=True) as known:
        assert forgotten is not None and known is None
