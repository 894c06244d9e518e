"""The Discord adapter (its own issue)."""

from bot.bootstrap import App


async def run(app: App) -> None:
    raise NotImplementedError("the Discord adapter is not built yet")
