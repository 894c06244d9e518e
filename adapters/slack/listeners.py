"""Bolt listeners: where Hearth answers on Slack, and how each kind of payload reaches the core.

DMs (and the App's Messages tab) and mentions are answered; mentions and enabled channels in a thread.
Bots, Hearth itself and message subtypes that are not a person writing (joins) are dropped here. An edit goes to
the core as an edited message (bot/edits.py), which answers it only when the new words are a crisis.
Every decision about *what* to answer stays in the core.

Each core turn and the sending of its answer run inside `pipeline.delivering()`: Bolt answers after its ack,
in a task of its own, so this is what makes a graceful shutdown wait for the answer to reach Slack.

Slack says nothing of a person's language in its payloads; their Slack locale (users.info, adapters/slack/locales.py)
goes with every message, command, button and check-in as `IncomingMessage.locale`, the core's last resort when the
words do not say, and chooses the language of the check-in modal and App Home, which are shown before any words.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from redis.exceptions import RedisError
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack import admin, blocks, checkin, translate
from adapters.slack.deliver import DROPPED, SEND_ERRORS, Responder, reason
from adapters.slack.dms import HearthDms
from adapters.slack.home import HomeTexts, home_view
from adapters.slack.locales import SlackLocales
from adapters.slack.retries import Deliveries
from adapters.slack.translate import Place
from adapters.slack.workspace import WorkspaceUrls
from bot.bootstrap import App
from bot.commands import CORE_COMMANDS, about_text
from bot.community import Community
from bot.models import Reply
from bot.prompts import Messages

log = logging.getLogger(__name__)

# `/hearth <word>`: these words are the core's commands; anything else is a message to Hearth, answered privately.
SUBCOMMANDS = frozenset({spec.name for spec in CORE_COMMANDS} | {"start", "stop"})
PUBLIC_COMMANDS = frozenset(spec.name for spec in CORE_COMMANDS if not spec.personal)


class SlackListeners:
    """Holds what every listener needs: the core app and Bolt's Web API client."""

    def __init__(self, app: App, bolt: AsyncApp) -> None:
        self._app = app
        self._bolt = bolt
        self._deliveries = Deliveries()
        self._workspaces = WorkspaceUrls(bolt.client)
        self._dms = HearthDms()
        self._locales = SlackLocales(bolt.client)

    def register(self) -> None:
        bolt = self._bolt
        bolt.event("message")(self.on_message)
        bolt.event("app_mention")(self.on_mention)
        bolt.event("app_home_opened")(self.on_home_opened)
        bolt.command("/hearth")(self.on_command)
        bolt.action(checkin.OPEN_ACTION)(self.on_open_checkin)
        bolt.action(re.compile(r"^hearth:"))(self.on_action)
        bolt.view(checkin.CALLBACK_ID)(self.on_checkin)

    # Messages ------------------------------------------------------------------------------------------

    async def on_message(self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext,
                         request: AsyncBoltRequest) -> None:  # fmt: skip
        edited = event.get("subtype") == "message_changed"
        changed = translate.edited_message(event) if edited else event
        if changed is None or not translate.is_person_message(changed):
            return
        kind = changed.get("channel_type")
        if kind == "im":
            await self._answer(body, changed, context, request, edited=edited)
            return
        if kind not in ("channel", "group"):
            return
        if translate.mentions(str(changed.get("text", "")), context.bot_user_id):
            if edited:  # a new message that mentions Hearth arrives as app_mention too; an edited one does not
                await self._answer(body, changed, context, request, edited=True)
            return
        # Only channels an admin enabled are answered without a mention.
        tenant = self._app.ids("tenant", "slack", translate.team_of(body, changed))
        if str(changed.get("channel")) in (await self._community(tenant)).enabled_channels:
            await self._answer(body, changed, context, request, edited=edited)

    async def on_mention(self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext,
                         request: AsyncBoltRequest) -> None:  # fmt: skip
        if translate.is_person_message(event):
            await self._answer(body, event, context, request)

    async def _answer(
        self,
        body: dict[str, Any],
        event: dict[str, Any],
        context: AsyncBoltContext,
        request: AsyncBoltRequest,
        *,
        edited: bool = False,
    ) -> None:
        url = await self._workspace_url(translate.message_place(body, event), context)
        place, msg = translate.from_message(self._app.ids, body, event, context.bot_user_id, url, edited=edited)
        async with self._deliveries.claim(msg.event_id, retried=_is_retry(request)) as delivery:
            if delivery is None:
                return
            msg = replace(msg, locale=await self._locale(place, wait=not msg.text.strip()))
            responder = self._responder(place, msg.tenant)
            try:
                with self._app.pipeline.delivering():
                    reply = await self._app.pipeline.handle(msg, responder.partial)
                    await responder.send(reply)
            except SEND_ERRORS as exc:
                log.warning("could not answer a message: %s", reason(exc))
                return
            delivery.mark_answered()

    # The slash command and buttons ------------------------------------------------------------------------

    async def on_command(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        try:
            await self._command(body, respond)
        except SEND_ERRORS as exc:
            log.warning("could not answer /hearth: %s", reason(exc))

    async def _command(self, body: dict[str, Any], respond: AsyncRespond) -> None:
        place = await self._where_typed(translate.command_place(body))
        word, _, rest = str(body.get("text") or "").strip().partition(" ")
        name = word.lower()
        tenant = self._app.ids("tenant", "slack", place.team)
        if name == "config":
            text = await admin.configure(self._bolt.client, self._app, tenant, place.user, rest)
            await respond(text=text, response_type="ephemeral")
            return
        if name == "checkin" and not rest and body.get("trigger_id"):
            await self._open_checkin(str(body["trigger_id"]), place.team, place.user)
            return
        text = f"/{name} {rest}".strip() if name in SUBCOMMANDS else (f"{word} {rest}".strip() or "/help")
        locale = await self._locale(place, wait=not (rest if name in SUBCOMMANDS else f"{word} {rest}").strip())
        msg = translate.incoming(self._app.ids, place, text, event_id=_command_event_id(body), locale=locale)
        with self._app.pipeline.delivering():
            reply = await self._app.pipeline.handle(msg)
            if reply.kind in DROPPED:
                return
            public = name in PUBLIC_COMMANDS and not reply.private
            await respond(response_type="in_channel" if public else "ephemeral", **blocks.reply_message(reply))
            responder = self._responder(place, tenant)
            if reply.private and not place.is_dm:
                await responder.direct(reply)
            if reply.alert is not None and not await responder.alert(reply.alert) and reply.alert.undelivered:
                # Told the champions were alerted, the person must hear that they were not: where the reply went.
                told = Reply(reply.alert.undelivered, private=True)
                await respond(response_type="ephemeral", **blocks.reply_message(told))
                if reply.private and not place.is_dm:
                    await responder.direct(told)

    async def _where_typed(self, place: Place) -> Place:
        """`/hearth` works in every DM, also one between two people that Hearth is not in. That one is treated
        like a channel Hearth cannot post in: answers are ephemeral, private ones copied to the person's DM with
        Hearth, and nothing is ever posted there for the other person to see. Slack's payload does not say whose
        DM it is; the person's DM with Hearth (conversations.open, asked once per person) does. If Slack cannot
        say, it is not Hearth's."""
        if not place.is_dm:
            return place
        try:
            own = await self._dms.channel(self._bolt.client, place.team, place.user) == place.channel
        except (*SEND_ERRORS, KeyError, TypeError) as exc:
            log.warning("could not tell whose DM /hearth was used in: %s", reason(exc))
            own = False
        return place if own else replace(place, is_dm=False)

    async def on_action(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        actions = body.get("actions") or [{}]
        core_action, command = blocks.action_from_id(str(actions[0].get("action_id", "")))
        if core_action is None and command is None:
            return
        place = translate.action_place(body)
        text = f"/{command}" if command else ""
        link = translate.action_link(await self._workspace_url(place, context), body, place)
        # The core's own buttons ("Show crisis lines", "Talk to a person", "Share a summary") never wait for
        # Slack: the conversation's language is known from the reply they are under, and a person who pressed one
        # must get the lines or the handoff at once. A command's button (`hearth:cmd:about`) may wait, bounded.
        locale = await self._locale(place, wait=core_action is None)
        msg = translate.incoming(self._app.ids, place, text, action=core_action, link=link, locale=locale)
        responder = self._responder(place, msg.tenant)
        try:
            with self._app.pipeline.delivering():
                reply = await self._app.pipeline.handle(msg)
                await responder.send(reply, personal=True)
        except SEND_ERRORS as exc:
            log.warning("could not answer a button: %s", reason(exc))

    # The mood check-in modal ---------------------------------------------------------------------------

    async def on_open_checkin(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        user = str((body.get("user") or {}).get("id", ""))
        try:
            await self._open_checkin(str(body.get("trigger_id", "")), translate.team_of(body), user)
        except SEND_ERRORS as exc:
            log.warning("could not open the check-in: %s", reason(exc))

    async def _open_checkin(self, trigger_id: str, team: str, user: str) -> None:
        """The modal in the person's Slack language (English where Hearth has no texts in it, or Slack cannot say)."""
        language = await self._language(team, user)
        kept = self._app.prompts(language).duration(self._app.context.checkin_ttl)
        view = checkin.modal(self._app.tools(language).checkin, kept)
        await self._bolt.client.views_open(trigger_id=trigger_id, view=view)

    async def on_checkin(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """A submitted check-in becomes the core's `/checkin`; the answer (with the chart) comes by DM."""
        await ack()
        text = checkin.command_text(body.get("view") or {})
        if text is None:
            return
        user = str((body.get("user") or {}).get("id", ""))
        place = Place(translate.team_of(body), "", user, None, is_dm=True)
        # Not waited for either: opening the modal asked Slack (it is in the person's language), and a check-in
        # may carry distress that the crisis path must answer at once.
        msg = translate.incoming(self._app.ids, place, text, locale=await self._locale(place, wait=False))
        try:
            with self._app.pipeline.delivering():
                await self._responder(place, msg.tenant).send(await self._app.pipeline.handle(msg))
        except SEND_ERRORS as exc:
            log.warning("could not answer a check-in: %s", reason(exc))

    # App Home ----------------------------------------------------------------------------------------

    async def on_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        team, user = translate.team_of(body, event), str(event["user"])
        country = await self._country(self._app.ids("tenant", "slack", team))
        language = await self._language(team, user)  # no one's turn: the person's Slack language, else English
        said = self._app.prompts(language)
        texts = HomeTexts(
            said,
            about=about_text(said, self._app.context),
            resources=self._app.crisis.resources_reply(country, language).text,
            show_lines=self._app.crisis.phrasebook(language).label("show_lines"),
            checkin=self._app.tools(language).checkin.form.title,
        )
        try:
            await self._bolt.client.views_publish(user_id=user, view=home_view(texts, country))
        except SEND_ERRORS as exc:
            log.warning("could not publish App Home: %s", reason(exc))

    # Helpers ----------------------------------------------------------------------------------------

    async def _locale(self, place: Place, *, wait: bool) -> str | None:
        """The person's Slack locale. Without `wait` (a message's or a command's words say the language; a crisis
        button; a check-in) Slack is not waited for, since a crisis must be answered at once: what is known is
        used, and Slack is asked in the background for the next turn. With `wait`, the answer is waited for
        (bounded), for what nothing else says the language of (a photo, a bare command)."""
        if not wait:
            self._locales.warm(place.team, place.user)
            return self._locales.known(place.team, place.user)
        return await self._locales.get(place.team, place.user)

    async def _language(self, team: str, user: str) -> str | None:
        """Hearth's language for the person's Slack locale ("es-ES" → "es"), None (English) without texts in it."""
        return self._app.crisis.phrasebook.of_locale(await self._locales.get(team, user))

    async def _workspace_url(self, place: Place, context: AsyncBoltContext) -> str | None:
        """Only a channel's messages get a champions' link, so only they need the workspace's address: asked
        with the request's client, which holds the token of the workspace the request came from."""
        if place.is_dm or not place.channel:
            return None
        return await self._workspaces.get(place.team, context.client if context.bot_token else None)

    def _responder(self, place: Place, tenant: str) -> Responder:
        async def resources_text(language: str | None) -> str:
            return self._app.crisis.resources_reply(await self._country(tenant), language).text

        async def champions(alert_tenant: str) -> tuple[str | None, Messages]:
            community = await self._community(alert_tenant)
            return community.moderator_channel, admin.staff_texts(self._app, community)

        return Responder(
            self._bolt.client,
            place,
            update_interval=self._app.settings.slack.slack_update_interval,
            resources_text=resources_text,
            champions=champions,
        )

    async def _country(self, tenant: str) -> str | None:
        return (await self._community(tenant)).country or self._app.settings.crisis.default_country

    async def _community(self, tenant: str) -> Community:
        """The workspace's settings, or the defaults while Redis is down: crisis lines must not depend on it."""
        try:
            return await self._app.communities.get(tenant)
        except (RedisError, OSError) as exc:
            log.warning("workspace settings unavailable: %s", type(exc).__name__)
            return Community()


def _is_retry(request: AsyncBoltRequest) -> bool:
    return bool(request.headers.get("x-slack-retry-num"))


def _command_event_id(body: dict[str, Any]) -> str | None:
    # A slash command has no event id; its trigger_id is unique per invocation.
    value = body.get("trigger_id")
    return str(value) if value else None
