"""The Slack adapter: Bolt `AsyncApp` in Socket Mode or HTTP mode. `run(app)` is what `python -m bot slack` calls."""

from adapters.slack.modes import run

__all__ = ["run"]
