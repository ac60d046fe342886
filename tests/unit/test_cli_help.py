"""The command line as a new user meets it: a version, every command on a bare call, every flag's help with its
default, one rate syntax for every command."""

from __future__ import annotations

import argparse

import pytest

from sendkit_mock import Settings, __version__
from sendkit_mock.cli import main, parser
from sendkit_mock.rates import Rate

FLAGS_WITHOUT_VALUE = (argparse._StoreConstAction, argparse._StoreTrueAction, argparse._HelpAction,
                       argparse._VersionAction)


def commands() -> dict[str, argparse.ArgumentParser]:
    found = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(found.choices)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"sendkit-mock {__version__}"


def test_a_bare_call_shows_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    shown = capsys.readouterr().err
    assert all(f"    {name}" in shown for name in commands()) and "--help" in shown


@pytest.mark.parametrize("command", ["serve", "ca", "contract", "proxy"])
def test_every_flag_has_help_that_says_its_default(command: str) -> None:
    for action in commands()[command]._actions:
        if not action.option_strings or isinstance(action, FLAGS_WITHOUT_VALUE):
            continue
        assert action.help, f"{command} {action.option_strings[0]} has no help"
        assert action.required or "(default" in action.help, f"{command} {action.option_strings[0]}: {action.help}"


@pytest.mark.parametrize(("text", "per_period"), [("20/s", (20, 1)), ("600/min", (600, 60)), ("10/m", (10, 60)),
                                                  ("5000/h", (5000, 3600)), ("3/hour", (3, 3600))])
def test_one_rate_syntax_for_serve_and_contract(text: str, per_period: tuple[int, int]) -> None:
    rate = Rate.parse(text)
    assert (rate.limit, rate.period) == per_period
    limit = Settings(rate_limit=text).behaviour().rate_limit  # what serve --rate-limit takes
    assert limit is not None and (limit.limit, limit.period) == per_period
    assert Rate.parse(rate.short) == Rate(rate.short, *per_period)


@pytest.mark.parametrize("text", ["0/s", "5/d", "five/s", "10"])
def test_a_rate_that_is_no_rate_is_refused_by_both_commands(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--rate-limit", text]) == 2
    assert "20/s, 600/min, 5000/h" in capsys.readouterr().err
    assert main(["contract", "--base-url", "http://127.0.0.1:9", "--api-key", "sk_x", "--rate-limit", text]) == 2
    assert "N/s, N/min (or N/m) or N/h" in capsys.readouterr().err
