"""A mistake on the command line or in a setting is one line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from upi.cli import main


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Exit code and stderr lines of ``upi <argv>``."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return int(exited.value.code or 0), capsys.readouterr().err.strip().splitlines()


def test_an_out_of_range_option_is_one_line_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_cli(["generate", "--count", "0"], capsys)
    assert code == 2
    assert len(lines) == 1
    assert "--count" in lines[0]
    assert "upi generate --help" in lines[0]


def test_an_unknown_option_is_one_line_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_cli(["stream", "--bogus"], capsys)
    assert (code, len(lines)) == (2, 1)
    assert "--bogus" in lines[0]


def test_a_bad_setting_is_one_line_naming_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPI_LAKE_URI", "hdfs://namenode/lake")
    code, lines = run_cli(["report"], capsys)
    assert (code, len(lines)) == (2, 1)
    assert lines[0].startswith("error: UPI_LAKE_URI:")
    assert "s3a://bucket/prefix" in lines[0]


def test_a_successful_command_exits_zero_and_says_nothing_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_cli(["stack", "env"], capsys) == (0, [])


def test_gold_without_a_day_is_one_line_asking_for_date_or_late_days(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines = run_cli(["gold"], capsys)
    assert (code, len(lines)) == (2, 1)
    assert "--date YYYY-MM-DD or --late-days" in lines[0]


def test_gold_with_a_malformed_date_is_one_line_naming_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_cli(["gold", "--date", "25-11-2026"], capsys)
    assert (code, len(lines)) == (2, 1)
    assert "--date" in lines[0]


def test_an_unknown_traffic_profile_is_one_line_listing_the_presets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines = run_cli(["generate", "--profile", "diwali"], capsys)
    assert (code, len(lines)) == (2, 1)
    assert "--profile" in lines[0]
    assert "bank-outage" in lines[0]


def test_several_workers_writing_one_file_is_one_line_naming_the_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, lines = run_cli(["generate", "--workers", "2", "--output", str(tmp_path / "e.jsonl")], capsys)
    assert (code, len(lines)) == (2, 1)
    assert lines[0].startswith("error: --workers:")


def test_a_profile_shapes_the_generated_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "festival.jsonl"
    code, _ = run_cli(["generate", "--profile", "festival", "--count", "2000", "--output", str(out)], capsys)
    p2m = sum('"txn_type":"P2M"' in line for line in out.read_text().splitlines())
    assert code == 0
    assert p2m / 2_000 > 0.64  # the festival's 70 % P2M, against the steady 62 %
