"""Building the Bolt `AsyncApp` from Hearth's settings.

The Web API client takes `SLACK_API_BASE_URL` (a proxy or a test stand-in), and Bolt's own checks stay on:
request signatures in HTTP mode and the token check (auth.test) on the first request.
"""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.listeners import SlackListeners
from bot.bootstrap import App
from bot.config import ConfigError, SlackSettings

log = logging.getLogger(__name__)


def web_client(settings: SlackSettings) -> AsyncWebClient:
    if settings.slack_bot_token is None:
        raise ConfigError("Configuration error: SLACK_BOT_TOKEN: required to run on Slack (starts with xoxb-)")
    token = settings.slack_bot_token.get_secret_value()
    if settings.slack_api_base_url:
        client = AsyncWebClient(token=token, base_url=settings.slack_api_base_url)
    else:
        client = AsyncWebClient(token=token)
    # Slack answers 429 with Retry-After when a workspace is busy; one wait-and-retry beats a lost reply.
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    return client


class _SameTokenNotice(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN from the environment and warns that the client's token wins over it.
    Both are the same token, so the warning would only alarm an operator."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("adapters.slack.bolt")
    if not any(isinstance(existing, _SameTokenNotice) for existing in logger.filters):
        logger.addFilter(_SameTokenNotice())
    return logger


def build_bolt(app: App) -> AsyncApp:
    """The Bolt app with Hearth's listeners registered. Listeners answer after the ack (3 s rule)."""
    slack = app.settings.slack
    secret = slack.slack_signing_secret.get_secret_value() if slack.slack_signing_secret else ""
    bolt = AsyncApp(
        client=web_client(slack),
        signing_secret=secret,
        logger=_bolt_logger(),
    )
    SlackListeners(app, bolt).register()
    return bolt
