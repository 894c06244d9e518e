"""The Slack adapter (its own issue)."""

from bot.bootstrap import App


async def run(app: App) -> None:
    raise NotImplementedError("the Slack adapter is not built yet")
