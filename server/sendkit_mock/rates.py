"""Requests per period, in the one syntax every command takes: `20/s`, `600/min` (or `/m`), `5000/h`."""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
SYNTAX = "N/s, N/min (or N/m) or N/h, N at least 1"


@dataclass(frozen=True, slots=True)
class Rate:
    text: str
    limit: int
    period: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate:
        """The rate, or ValueError naming the syntax."""
        match = re.fullmatch(r"\s*(\d{1,9})\s*/\s*([a-z]+)\s*", text)
        if match is None or match[2] not in UNITS or int(match[1]) < 1:
            raise ValueError(f"{text!r} is not a rate: {SYNTAX} (20/s, 600/min, 5000/h)")
        return cls(text.strip(), int(match[1]), UNITS[match[2]])

    @property
    def short(self) -> str:
        """The same rate as N/s, N/m or N/h (what Schemathesis takes)."""
        return f"{self.limit}/{ {1: 's', 60: 'm', 3600: 'h'}[self.period] }"
