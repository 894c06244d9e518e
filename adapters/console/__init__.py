"""The console adapter: a terminal chat with Hearth that needs no platform (the embedded default)."""

from adapters.console.chat import run

__all__ = ["run"]
