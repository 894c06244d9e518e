"""What `bot.bootstrap.running` (the composition root `python -m bot` uses) does before the first message."""

import asyncio

from bot.bootstrap import running
from bot.config import load_settings
from tests.helpers import SECRET, message


async def test_the_crisis_patterns_are_compiled_at_start_up_and_messages_are_judged_meanwhile(settings_overrides):
    # Without it, the first crisis message after a restart waits about half a second for its rules to compile.
    settings = load_settings(env_file=None, **settings_overrides)
    async with running(settings, hash_secret=SECRET) as app:
        detector = app.crisis.detector
        reply = await app.pipeline.handle(message(app, "i want to kill myself"))
        assert reply.kind == "crisis"
        async with asyncio.timeout(30):
            while detector.uncompiled:
                await asyncio.sleep(0.05)
