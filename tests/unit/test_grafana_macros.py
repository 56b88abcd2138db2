"""Grafana's PostgreSQL macros expand to what Grafana itself sends to Postgres."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from warehouse.grafana_macros import MacroError, expand, interval_seconds
from warehouse.panel_queries import grafana_interval

FROM = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TO = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


def test_time_filter_is_between_the_range_in_rfc3339_utc() -> None:
    assert expand("WHERE $__timeFilter(event_time)", FROM, TO, "1m") == (
        "WHERE event_time BETWEEN '2026-11-25T10:00:00Z' AND '2026-11-25T11:00:00Z'"
    )


def test_a_range_given_in_ist_is_sent_in_utc() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    assert expand("$__timeFrom()", FROM.astimezone(ist), TO, "1m") == "'2026-11-25T10:00:00Z'"


def test_time_group_floors_epoch_seconds_to_the_interval() -> None:
    assert expand("$__timeGroup(t, '5m')", FROM, TO, "1m") == "floor(extract(epoch from t)/300)*300"


def test_time_group_alias_names_the_column_time() -> None:
    assert expand("$__timeGroupAlias(t, $__interval)", FROM, TO, "10s") == (
        'floor(extract(epoch from t)/10)*10 AS "time"'
    )


def test_interval_ms_is_a_number_of_milliseconds() -> None:
    assert expand("count(*) * 1000.0 / $__interval_ms", FROM, TO, "1m") == "count(*) * 1000.0 / 60000"


def test_unix_epoch_filter_uses_whole_seconds() -> None:
    assert expand("$__unixEpochFilter(ts)", FROM, TO, "1m") == "ts >= 1795600800 AND ts <= 1795604400"


def test_an_unknown_macro_is_an_error() -> None:
    with pytest.raises(MacroError, match=r"\$__timeFilterr"):
        expand("$__timeFilterr(t)", FROM, TO, "1m")


def test_a_macro_with_the_wrong_arguments_is_an_error() -> None:
    with pytest.raises(MacroError, match="one column"):
        expand("$__timeFilter(a, b)", FROM, TO, "1m")


@pytest.mark.parametrize(
    ("interval", "seconds"), [("500ms", 0.5), ("30s", 30), ("1h", 3600), ("'1d'", 86400)]
)
def test_intervals_parse_like_grafanas(interval: str, seconds: float) -> None:
    assert interval_seconds(interval) == seconds


def test_a_malformed_interval_is_an_error() -> None:
    with pytest.raises(MacroError, match="not a Grafana interval"):
        interval_seconds("five minutes")


def test_the_interval_of_a_range_gives_about_300_points_but_not_below_the_minimum() -> None:
    assert grafana_interval(FROM, TO, "10s") == "30s"  # 3600 s / 300 = 12 s -> the next step up
    assert grafana_interval(FROM, FROM + timedelta(days=30), "1d") == "1d"
    assert grafana_interval(FROM, FROM + timedelta(minutes=5), "10s") == "10s"
