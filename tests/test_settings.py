"""Settings from environment variables: parsed by a pure function, errors name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import DEFAULT_BASE_URL, from_env


def test_defaults() -> None:
    s = from_env({})
    assert (s.token, s.base_url, s.webhook_url, s.port, s.flood_limit) == (
        None, DEFAULT_BASE_URL, None, 8443, 20)


def test_full_configuration() -> None:
    s = from_env({"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot",
                  "WEBHOOK_URL": "https://bot.example.org/hook", "PORT": "8080",
                  "WEBHOOK_SECRET": "s3cr-et_", "STATE_FILE": "/tmp/state.pickle"})
    assert (s.token, s.base_url, s.webhook_url, s.port, s.webhook_secret,
            str(s.persistence_path)) == ("123:abc", "http://127.0.0.1:9/bot",
                                         "https://bot.example.org/hook", 8080, "s3cr-et_",
                                         "/tmp/state.pickle")


BAD = [
    ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"),
    ({"TELEGRAM_BASE_URL": "ftp://x"}, "TELEGRAM_BASE_URL"),
    ({"WEBHOOK_URL": "http://insecure.example"}, "WEBHOOK_URL"),
    ({"WEBHOOK_SECRET": "has spaces"}, "WEBHOOK_SECRET"),
    ({"PORT": "eighty"}, "PORT"),
    ({"PORT": "70000"}, "PORT"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ({"FLOOD_LIMIT": "0"}, "FLOOD_LIMIT"),
    ({"ADMIN_IDS": "12345,@grace"}, "ADMIN_IDS"),
    ({"ADMIN_IDS": "-5"}, "ADMIN_IDS"),
    ({"INBOX": "maybe"}, "INBOX"),
    ({"INBOX_RETENTION_DAYS": "0"}, "INBOX_RETENTION_DAYS"),
]


@pytest.mark.parametrize(("env", "variable"), BAD, ids=[
    "token", "base-url", "webhook-http", "secret-chars", "port-text", "port-range", "log-level",
    "flood-limit", "admin-username", "admin-negative", "inbox-switch", "retention-zero"])
def test_bad_setting_names_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        from_env(env)
    assert caught.value.variable == variable


def test_error_message_never_contains_the_token() -> None:
    with pytest.raises(ConfigError) as caught:
        from_env({"TELEGRAM_BOT_TOKEN": "secret token"})
    assert "secret" not in str(caught.value)


def test_state_file_in_a_missing_folder_is_a_settings_error() -> None:
    with pytest.raises(ConfigError) as caught:
        from_env({"STATE_FILE": "/no/such/folder/state.pickle"})
    assert caught.value.variable == "STATE_FILE"


def test_state_file_that_is_a_folder_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        from_env({"STATE_FILE": str(tmp_path)})
    assert caught.value.variable == "STATE_FILE"


def test_data_dir_reply_ttl_and_body_limit() -> None:
    s = from_env({"DATA_DIR": "/tmp/bot-data", "REPLY_TTL_SECONDS": "120",
                  "WEBHOOK_MAX_BYTES": "65536"})
    assert (s.data_dir, s.reply_ttl_seconds, s.webhook_max_bytes) == (
        Path("/tmp/bot-data"), 120, 65536)


def test_data_dir_defaults() -> None:
    s = from_env({})
    assert (s.data_dir, s.reply_ttl_seconds, s.webhook_max_bytes) == (
        Path("data"), 600, 1_000_000)


def test_data_dir_under_a_file_is_a_settings_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError) as caught:
        from_env({"TELEGRAM_BOT_TOKEN": "123:abc", "DATA_DIR": str(tmp_path / "file" / "data")})
    assert str(caught.value) == f"DATA_DIR: {tmp_path / 'file'} is not a folder"


@pytest.mark.parametrize("env", [{"REPLY_TTL_SECONDS": "0"}, {"WEBHOOK_MAX_BYTES": "10"}],
                         ids=["ttl-zero", "body-limit-tiny"])
def test_bad_delivery_setting_names_the_variable(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as caught:
        from_env(env)
    assert caught.value.variable == next(iter(env))


def test_curator_settings() -> None:
    s = from_env({"ADMIN_IDS": "8214660517, 6093224871", "INBOX": "off", "DATA_DIR": "/srv/bot",
                  "INBOX_RETENTION_DAYS": "30"})
    assert (s.admin_ids, s.inbox, s.data_dir, s.inbox_retention_days) == (
        frozenset({8214660517, 6093224871}), False, Path("/srv/bot"), 30)


def test_curator_defaults() -> None:
    s = from_env({})
    assert (s.admin_ids, s.inbox, s.data_dir, s.inbox_retention_days) == (
        frozenset(), True, Path("data"), 90)
