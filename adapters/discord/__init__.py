"""The Discord adapter: discord.py in, the core's pipeline, discord.py out. `run(app)` starts it."""

from adapters.discord.client import run

__all__ = ["run"]
