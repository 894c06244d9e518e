"""Slash-style commands and button actions that need no LLM: /about, /resources, /mydata, /forget, /consent.

Every platform sends them the same way: as text starting with "/" (the Slack adapter turns `/hearth about`
into `/about`) or as an action id from a button.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from redis.exceptions import RedisError

from bot.context import ContextStore, HeldItem
from bot.countries import Countries
from bot.crisis import Crisis
from bot.crisis.replies import Texts
from bot.models import ACTION_CONSENT, ACTION_RESOURCES, Action, ActionStyle, Reply
from bot.pipeline import Turn
from bot.prompts import Messages, Prompts

log = logging.getLogger(__name__)

Handler = Callable[[Turn, str], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """What adapters register as a platform command. `personal` replies go ephemeral or to a DM. What a command
    picker says about it and its argument is data: `commands:` in prompts/messages/<language>.yaml."""

    name: str
    personal: bool = True
    argument: str | None = None


CORE_COMMANDS = (
    CommandSpec("about", personal=False),
    CommandSpec("help", personal=False),
    CommandSpec("resources", argument="country"),
    CommandSpec("mydata"),
    CommandSpec("forget"),
    CommandSpec("consent"),
    CommandSpec("country", argument="code"),
    CommandSpec("breathe", personal=False, argument="pattern"),
    CommandSpec("ground"),
    CommandSpec("journal", personal=False),
    CommandSpec("reframe"),
    CommandSpec("prepare"),
    CommandSpec("learn", personal=False, argument="topic"),
    CommandSpec("checkin", argument="mood"),
)


def parse_command(text: str) -> tuple[str, str]:
    """A command's name and argument, as people type them: "/HELP", "/ help", "/about!!" and "/learn  sleep"
    all mean what they say (the caller has checked that `text` starts with "/")."""
    name, _, argument = text[1:].strip().partition(" ")
    return name.strip().rstrip("!?.,:;").lower(), argument.strip()


def about_text(messages: Messages, context: ContextStore) -> str:
    """/about, and Slack's App Home: what Hearth is, and how long each thing it keeps is kept."""
    return messages.say(
        "about",
        context_minutes=messages.duration(context.ttl),
        flag_time=messages.duration(context.flag_ttl),
        checkin_time=messages.duration(context.checkin_ttl),
    )


class CommandStage:
    name = "commands"

    def __init__(self, prompts: Prompts, context: ContextStore, crisis: Crisis, countries: Countries) -> None:
        self._prompts = prompts
        self._context = context
        self._crisis = crisis
        self._countries = countries
        self._commands: dict[str, Handler] = {
            "about": self._about,
            "help": self._help,
            "start": self._help,
            "resources": self._resources,
            "mydata": self._mydata,
            "forget": self._forget,
            "consent": self._consent,
            "country": self._country,
        }
        self._actions: dict[str, Handler] = {ACTION_RESOURCES: self._resources, ACTION_CONSENT: self._consent}

    @property
    def command_names(self) -> tuple[str, ...]:
        return tuple(self._commands)

    def register(self, name: str, handler: Handler) -> None:
        """Add a command (the tools use this)."""
        self._commands[name] = handler

    async def run(self, turn: Turn) -> Reply | None:
        if turn.msg.action:
            action = self._actions.get(turn.msg.action)
            return await action(turn, "") if action else None
        if not turn.text.startswith("/"):
            return None
        name, argument = parse_command(turn.text)
        handler = self._commands.get(name)
        if handler is None:
            said = self._said(turn)
            if not name.strip("/"):
                return Reply(said.say("no_command"), private=True, language=said.language)
            return Reply(said.say("unknown_command", command=name[:40]), private=True, language=said.language)
        return await handler(turn, argument)

    def _said(self, turn: Turn) -> Messages:
        """The fixed messages in the language the crisis texts of this turn are in (one choice for the bot)."""
        return self._prompts(self._crisis.language(turn))

    def _storage_down(self, turn: Turn) -> Reply:
        said = self._said(turn)
        return Reply(said.say("storage_down"), private=True, language=said.language)

    async def _about(self, turn: Turn, argument: str) -> Reply:
        said = self._said(turn)
        show_lines = self._crisis.phrasebook(said.language).label("show_lines")
        text = about_text(said, self._context)
        return Reply(text, actions=(Action(ACTION_RESOURCES, show_lines),), kind="about", language=said.language)

    async def _help(self, turn: Turn, argument: str) -> Reply:
        said = self._said(turn)
        return Reply(said.say("help"), kind="help", language=said.language)

    async def _resources(self, turn: Turn, argument: str) -> Reply:
        typed = argument.strip()
        if not typed:
            return self._crisis.lines_reply(turn)
        code = self._countries.code_of(typed)  # "/resources GB", "/resources united kingdom", "/resources españa"
        if code is None:  # "/resources atlantis", "/resources zz": say so, and whose lines
            return _after(self._not_a_country(turn, typed), self._crisis.lines_reply(turn))
        resources = self._crisis.lines_for(turn, code)
        if self._unlisted(code):
            return _after(self._crisis.phrasebook(resources.language).say("no_lines_for", country=code), resources)
        return resources

    async def _mydata(self, turn: Turn, argument: str) -> Reply:
        try:
            held = await self._context.describe(turn.msg.user)
        except (RedisError, OSError):
            return self._storage_down(turn)
        said = self._said(turn)
        if not held:
            return Reply(said.say("mydata_none"), private=True, kind="mydata", language=said.language)
        lines = [said.say("mydata_intro")]
        lines += [
            f"• {said.say('held_item', what=_held(said, item), time=said.duration(item.expires_in))}" for item in held
        ]
        return Reply("\n".join(lines), private=True, kind="mydata", language=said.language)

    async def _forget(self, turn: Turn, argument: str) -> Reply:
        said = self._said(turn)
        try:
            await self._context.forget(turn.msg.user)
        except (RedisError, OSError):
            return Reply(said.say("forget_failed"), private=True, language=said.language)
        log.info("a user erased their data")
        return Reply(said.say("forgotten"), private=True, kind="forget", language=said.language)

    async def _country(self, turn: Turn, argument: str) -> Reply:
        typed = argument.strip()
        if typed in {"", "?"}:
            return Reply(self._country_help(turn), private=True, kind="country")
        clearing = typed.upper() in {"CLEAR", "NONE", "RESET"}
        chosen = None if clearing else self._countries.code_of(typed)  # a code, or a name in any of the languages
        if chosen is None and not clearing:  # what was set stays
            return Reply(self._not_a_country(turn, typed, kept=True), private=True, kind="country")
        try:
            await self._context.set_country(turn.msg.user, chosen)
        except (RedisError, OSError):
            return self._storage_down(turn)
        shown = self._crisis.country_for(turn, chosen)  # cleared: the lines the crisis stage will now pick
        texts = self._crisis.texts_for(turn)  # the lines below are in the person's language, and so is this
        resources = self._crisis.lines_for(turn, shown)  # after immediate danger, the emergency number first
        if chosen is None:
            text = texts.say("country_cleared")
        elif self._unlisted(chosen):
            unlisted = texts.say("country_set_unlisted", country=chosen)
            text = f"{unlisted} {texts.say('no_lines_for', country=chosen)}"
        else:
            text = texts.say("country_set", country=chosen)
        return Reply(f"{text}\n\n{resources.text}", actions=resources.actions, private=True, kind="country")

    def _unlisted(self, code: str) -> bool:
        """A country the directory has no lines of its own for (IT): the fallback is shown."""
        return self._crisis.directory.for_country(code) is self._crisis.directory.fallback

    def _not_a_country(self, turn: Turn, typed: str, *, kept: bool = False) -> str:
        """Why `typed` was refused (a name Hearth does not know, or two letters that are no country: ZZ), then
        how to choose; in the person's language, like the lines it comes with."""
        say = self._crisis.texts_for(turn).say
        code = typed.upper()
        why = say("country_unknown", code=code) if _is_code(code) else say("country_unknown_name", name=typed[:40])
        if kept:
            why = f"{why} {say('country_kept')}"
        return f"{why}\n{self._country_help(turn)}"

    def _country_help(self, turn: Turn) -> str:
        texts = self._crisis.texts_for(turn)
        current = turn.session.country or texts.say("country_not_set")
        return texts.say("country_help", current=current, shown=turn.country or texts.say("country_international"))

    async def _consent(self, turn: Turn, argument: str) -> Reply:
        try:
            await self._context.save(turn.msg.user, turn.msg.conversation, flags=("consent", "disclaimer"))
        except (RedisError, OSError):
            return self._storage_down(turn)
        texts = self._crisis.texts_for(turn)
        return Reply(texts.say("consent_given"), kind="consent", language=texts.language)


def _held(said: Messages, item: HeldItem) -> str:
    """What one thing /mydata lists is, in the person's language: "1 message", never "1 messages"."""
    key = "held_ctx_one" if item.kind == "ctx" and item.count == 1 else f"held_{item.kind}"
    return said.say(key, n=item.count) if key in said.texts else said.say("held_other")


def _is_code(code: str) -> bool:
    """Whether `code` (upper case) has the shape of a country code: two letters, like GB."""
    return len(code) == 2 and code.isascii() and code.isalpha()


def _after(notice: str, reply: Reply) -> Reply:
    return replace(reply, text=f"{notice}\n\n{reply.text}")


def consent_action(texts: Texts) -> Action:
    return Action(ACTION_CONSENT, texts.label("consent"), ActionStyle.PRIMARY)
