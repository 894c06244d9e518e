"""Odd, empty, huge or hostile input gets a calm answer; nothing crashes and no exception text shows."""

import pytest

from tests.helpers import message

TRACE_WORDS = ("Traceback", "Error", "Exception", "KeyError")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t  ",
        "\x00\x01\x02",
        "\u200f\u202e\u2066",
        "\ud800\udfff lone surrogates",
        "x" * 100_000,
        "🔥" * 5000,
        "\u202eevil right-to-left override\u202c hello",
        "{about} {context_minutes} %s %(x)s",
        "/",
        "/nonexistent-command with args",
        "\x1b[31mterminal escape\x1b[0m",
    ],
)
async def test_strange_input_gets_a_calm_reply(make_app, text):
    app = make_app()
    reply = await app.pipeline.handle(message(app, text))
    assert reply.text.strip()
    assert not any(word in reply.text for word in TRACE_WORDS)


async def test_an_empty_message_is_answered_gently(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, " \u200b "))
    assert "didn't catch any words" in reply.text


async def test_a_huge_message_gets_the_limit_and_its_size(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, "word " * 20_000))
    assert "4,000" in reply.text


@pytest.mark.parametrize("with_llm", [False, True])
async def test_a_first_message_that_is_too_long_still_says_what_hearth_is_once(make_app, fake_llm, with_llm):
    app = make_app(openai_base_url=fake_llm.base_url) if with_llm else make_app()
    first = await app.pipeline.handle(message(app, "word " * 1_000))
    assert "automated peer-support bot" in first.text and "4,000" in first.text
    second = await app.pipeline.handle(message(app, "word " * 1_000))
    assert "4,000" in second.text and "automated peer-support bot" not in second.text
    after = await app.pipeline.handle(message(app, "hello"))
    assert "automated peer-support bot" not in after.text  # told once, at first contact
    assert fake_llm.requests == []


async def test_a_crisis_in_a_huge_message_is_still_answered_as_a_crisis(make_app):
    app = make_app()
    reply = await app.pipeline.handle(message(app, "I want to kill myself. " + "and everything hurts " * 5000))
    assert reply.kind == "crisis"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("/HELP", "Here's what I can do"), ("/ help", "Here's what I can do"), ("/about!!", "not a person")],
)
async def test_commands_typed_loosely_still_work(make_app, text, expected):
    app = make_app()
    assert expected in (await app.pipeline.handle(message(app, text))).text


@pytest.mark.parametrize("text", ["/", "//", "/ "])
async def test_a_slash_with_no_command_name_is_not_called_the_command_slash(make_app, text):
    app = make_app()
    reply = await app.pipeline.handle(message(app, text))
    assert "the command /." not in reply.text and "the command //" not in reply.text
    assert "/help" in reply.text
