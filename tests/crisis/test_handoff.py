"""'Talk to a person' through the whole core on a real Redis: moderators are alerted once per conversation per
crisis, the person is told when they were, and the summary they agree to share still goes, once."""

import asyncio

from bot.models import ACTION_HANDOFF, ACTION_HANDOFF_SHARE, Level
from bot.redis_keys import UserKeys
from tests.helpers import message

CRISIS = "i cant do this anymore, i want to kill myself"
IMMINENT = "i have the pills ready to end it tonight"
LINK = "https://discord.com/channels/1/2"
ALREADY = "I already let this community's moderators know"


async def with_moderators(make_app, **more):
    app = make_app(default_country="GB", **more)
    await app.communities.update(app.ids("tenant", "test"), moderator_channel="mods")
    return app


async def press(app, action=ACTION_HANDOFF, **fields):
    return await app.pipeline.handle(message(app, "", action=action, **{"link": LINK, **fields}))


async def test_talk_to_a_person_pressed_twice_alerts_once_and_says_when_with_the_lines(make_app):
    app = await with_moderators(make_app)
    await app.pipeline.handle(message(app, CRISIS))

    first = await press(app)
    again = await press(app)

    assert first.alert is not None and again.alert is None
    assert f"{ALREADY} just now" in again.text and "116 123" in again.text
    # The summary they have not shared yet can still be: the offer and its button stay.
    assert "Share a summary" in again.text and ACTION_HANDOFF_SHARE in {action.id for action in again.actions}


async def test_after_an_alert_the_summary_is_still_sent_once(make_app):
    app = await with_moderators(make_app)
    await app.pipeline.handle(message(app, CRISIS))
    await press(app)

    shared = await press(app, ACTION_HANDOFF_SHARE)
    shared_again = await press(app, ACTION_HANDOFF_SHARE)
    pressed_after = await press(app)

    assert shared.alert is not None and shared.alert.summary and "suicide" in shared.alert.summary
    assert shared_again.alert is None and "already sent this community's moderators the short summary" in (
        shared_again.text
    )
    assert pressed_after.alert is None and "already sent this community's moderators the short summary" in (
        pressed_after.text
    )
    assert ACTION_HANDOFF_SHARE not in {action.id for action in pressed_after.actions}, "nothing left to share"
    assert "116 123" in shared_again.text and "116 123" in pressed_after.text


async def test_the_buttons_of_two_crisis_replies_in_the_same_crisis_alert_once(make_app):
    app = await with_moderators(make_app)
    await app.pipeline.handle(message(app, CRISIS))
    await press(app)
    await app.pipeline.handle(message(app, "i really want to die"))

    later = await press(app, link="https://discord.com/channels/1/3")

    assert later.alert is None and ALREADY in later.text


async def test_two_presses_at_once_alert_once(make_app):
    app = await with_moderators(make_app)
    await app.pipeline.handle(message(app, CRISIS))

    replies = await asyncio.gather(press(app), press(app), press(app))

    assert sum(reply.alert is not None for reply in replies) == 1


async def test_after_the_imminent_reply_alerted_them_talk_to_a_person_does_not_alert_again(make_app):
    app = await with_moderators(make_app)
    imminent = await app.pipeline.handle(message(app, IMMINENT, link=LINK))
    second = await app.pipeline.handle(message(app, "i really am going to take them all tonight", link=LINK))

    pressed = await press(app)

    assert imminent.alert is not None and imminent.alert.level is Level.IMMINENT
    assert second.level is Level.IMMINENT and second.alert is None
    assert pressed.alert is None and ALREADY in pressed.text


async def test_danger_that_is_new_alerts_again(make_app):
    # They asked for a person while at urgent; then they say they have the pills ready: moderators must know.
    app = await with_moderators(make_app)
    await app.pipeline.handle(message(app, CRISIS))
    assert (await press(app)).alert is not None

    imminent = await app.pipeline.handle(message(app, IMMINENT, link=LINK))

    assert imminent.alert is not None and imminent.alert.level is Level.IMMINENT


async def test_another_conversation_and_another_person_are_alerted_for_on_their_own(make_app):
    app = await with_moderators(make_app)
    for who, where in (("alice", "dm-1"), ("alice", "channel-2"), ("bob", "dm-1")):
        await app.pipeline.handle(message(app, CRISIS, user=who, conversation=where))
        assert (await press(app, user=who, conversation=where)).alert is not None


async def test_the_person_hears_how_long_ago_in_their_language(make_app, redis):
    app = await with_moderators(make_app)
    await app.pipeline.handle(message(app, "quiero matarme, ya no puedo más"))
    await press(app)
    marker = UserKeys(app.ids("user", "test", "alice")).alerted(app.ids("conversation", "test", "dm-1"))
    at, level, shared = (await redis.get(marker)).split()
    await redis.set(marker, b" ".join((str(int(at) - 12 * 60).encode(), level, shared)), keepttl=True)

    again = await press(app)

    assert again.alert is None
    assert "Ya avisé a las personas moderadoras de esta comunidad hace unos 12 min" in again.text


async def test_the_marker_holds_no_text_expires_with_the_crisis_and_mydata_and_forget_see_it(make_app, redis):
    app = await with_moderators(make_app)
    await app.pipeline.handle(message(app, CRISIS))
    await press(app)
    marker = UserKeys(app.ids("user", "test", "alice")).alerted(app.ids("conversation", "test", "dm-1"))

    value = await redis.get(marker)
    assert value is not None and value.replace(b" ", b"").isdigit()
    assert 0 < await redis.ttl(marker) <= app.settings.crisis.crisis_mode_ttl
    mydata = await app.pipeline.handle(message(app, "/mydata"))
    assert "that moderators were told you may need a person" in mydata.text

    await app.pipeline.handle(message(app, "/forget"))
    assert await redis.exists(marker) == 0
    await app.pipeline.handle(message(app, CRISIS))
    assert (await press(app)).alert is not None


async def test_an_alert_the_adapter_could_not_deliver_is_tried_again_on_the_next_press(make_app):
    app = await with_moderators(make_app)
    await app.pipeline.handle(message(app, CRISIS))
    first = await press(app)
    await first.alert.failed()  # what the adapter does when the moderators' channel refused it

    again = await press(app)

    assert again.alert is not None and ALREADY not in again.text
