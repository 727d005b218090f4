"""`iacai serve`: its settings, from flags over IACAI_* variables over defaults."""

from __future__ import annotations

import argparse

import pytest

from iacai.service import command, settings


def parsed(*flags: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    return parser.parse_args(flags)


def test_help_documents_every_setting_and_its_variable() -> None:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    text = parser.format_help()
    for name in (
        "IACAI_HOST",
        "IACAI_PORT",
        "IACAI_WORKERS",
        "IACAI_QUERY_TIMEOUT",
        "IACAI_SERVICE_ALLOWLIST",
        "IACAI_CORS_ORIGINS",
        "IACAI_CACHE_ENTRIES",
    ):
        assert name in text


def test_defaults_listen_on_loopback_with_a_10_second_timeout() -> None:
    defaults = settings.from_sources(parsed(), environment={})
    assert (defaults.host, defaults.port, defaults.query_timeout) == ("127.0.0.1", 8000, 10.0)
    assert defaults.service_allowlist == ()
    assert defaults.cors_origins == ("*",)


def test_flags_override_environment_which_overrides_defaults() -> None:
    environment = {
        "IACAI_PORT": "9001",
        "IACAI_QUERY_TIMEOUT": "2.5",
        "IACAI_SERVICE_ALLOWLIST": "https://query.wikidata.org/, https://dbpedia.org/",
    }
    chosen = settings.from_sources(parsed("--port", "9002"), environment=environment)
    assert chosen.port == 9002
    assert chosen.query_timeout == 2.5
    assert chosen.service_allowlist == ("https://query.wikidata.org/", "https://dbpedia.org/")


def test_settings_round_trip_through_the_environment() -> None:
    chosen = settings.Settings(port=9100, cache_entries=0, cors_origins=())
    assert settings.from_sources(None, environment=chosen.to_environment()) == chosen


@pytest.mark.parametrize(
    "flags",
    [
        ("--port", "zero"),
        ("--query-timeout", "0"),
        ("--workers", "0"),
        ("--log-level", "bogus"),
        ("--worker-malloc", "tcmalloc"),
    ],
)
def test_bad_settings_are_refused_with_exit_code_2(flags: tuple[str, ...]) -> None:
    assert command.run(parsed(*flags)) == 2
