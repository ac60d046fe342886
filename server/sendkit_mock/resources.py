"""Where the contract and the default world are: inside the wheel, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parents[1]


def _find(name: str) -> Path:
    for base in (_PACKAGE / "_data", _CHECKOUT):
        if (base / name).exists():
            return base / name
    raise FileNotFoundError(f"{name} is neither packaged nor in the checkout at {_CHECKOUT}")


def spec_path() -> Path:
    return _find("openapi.yaml")


def default_fixtures_path() -> Path:
    return _find("fixtures") / "world.yaml"
