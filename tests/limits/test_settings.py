"""Limit settings: a lock that could expire mid-reply is a start-up error, named."""

import pytest

from bot.config import ConfigError, load_settings


def test_a_conversation_lock_shorter_than_a_reply_can_take_is_refused_at_start_up():
    with pytest.raises(ConfigError, match="CONVERSATION_LOCK_TTL must be longer"):
        load_settings(env_file=None, conversation_lock_ttl=30, llm_deadline=45)


def test_the_defaults_are_consistent_and_parse_as_documented():
    limits = load_settings(env_file=None).limits
    assert (limits.rate_limit_per_user.count, limits.rate_limit_per_user.period) == (20, 600)
    assert limits.conversation_lock_ttl > limits.llm_deadline + limits.llm_queue_wait
