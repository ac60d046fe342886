"""Report content. Placeholder until issue 3 brings the generators: the enabled sections, empty."""

from __future__ import annotations

from typing import Any

from .reports import Report


class ContentFactory:
    def __init__(self, world: object, seed: int | str) -> None:
        self.seed = seed

    def __call__(self, report: Report) -> dict[str, Any]:
        return {}
