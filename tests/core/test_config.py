import pytest

from bot.config import ConfigError, RateLimit, load_settings, parse_rate


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20/10m", RateLimit(20, 600)), ("5/s", RateLimit(5, 1)), ("1000 / 1d", RateLimit(1000, 86400))],
)
def test_rate_limits_parse_from_n_per_period(text, expected):
    assert parse_rate(text) == expected


def test_a_wrong_value_is_one_line_naming_the_variable(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_PER_USER", "abc")
    with pytest.raises(ConfigError) as caught:
        load_settings(env_file=None)
    message = str(caught.value)
    assert "RATE_LIMIT_PER_USER" in message
    assert "20/10m" in message
    assert "\n" not in message


def test_a_redis_url_with_an_unknown_scheme_is_refused():
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_settings(env_file=None, redis_url="http://localhost:6379")


def test_a_too_short_id_hash_secret_is_one_line_at_start_up_not_a_traceback():
    with pytest.raises(ConfigError, match="ID_HASH_SECRET: must be at least 16 bytes"):
        load_settings(env_file=None, id_hash_secret="short")
    assert load_settings(env_file=None, id_hash_secret="x" * 16).privacy.id_hash_secret is not None


def test_a_country_must_be_an_iso_code():
    with pytest.raises(ConfigError, match="DEFAULT_COUNTRY"):
        load_settings(env_file=None, default_country="Britain")
    assert load_settings(env_file=None, default_country="gb").crisis.default_country == "GB"


def test_settings_pick_the_platform_from_the_tokens():
    base = {"discord_token": None, "slack_bot_token": None, "slack_app_token": None, "slack_signing_secret": None}
    assert load_settings(env_file=None, **base).platform() == "console"
    assert load_settings(env_file=None, **{**base, "discord_token": "x"}).platform() == "discord"
    socket = {**base, "slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1"}
    assert load_settings(env_file=None, **socket).platform() == "slack"
    http = {**base, "slack_bot_token": "xoxb-1", "slack_mode": "http", "slack_signing_secret": "s"}
    assert load_settings(env_file=None, **http).platform() == "slack"
    assert load_settings(env_file=None, **{**base, "slack_bot_token": "xoxb-1"}).platform() == "console"


def test_settings_are_read_from_an_env_file(tmp_path):
    env = tmp_path / ".env"
    env.write_text("LLM_MODEL=llama3\nCONTEXT_TTL=600\n")
    settings = load_settings(env_file=env)
    assert settings.llm.llm_model == "llama3"
    assert settings.privacy.context_ttl == 600


def test_a_platform_names_the_first_setting_it_lacks():
    base = {"discord_token": None, "slack_bot_token": None, "slack_app_token": None, "slack_signing_secret": None}
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is not set"):
        load_settings(env_file=None, **base).require("discord")
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set"):
        load_settings(env_file=None, **{**base, "slack_bot_token": "xoxb", "slack_mode": "http"}).require("slack")
    with pytest.raises(ConfigError, match="ID_HASH_SECRET is not set"):
        load_settings(env_file=None, **{**base, "discord_token": "t", "id_hash_secret": None}).require("discord")
    load_settings(env_file=None, **base).require("console")
