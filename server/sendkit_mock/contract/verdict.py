"""What a contract run saw, and the one verdict it supports.

A verdict is green only when it saw what it claims. An operation counts as *checked* when at least one of its
cases reached the operation's logic: an answer other than 401/403 where the operation needs a key (a refused
key tests nothing behind it), any documented answer where it needs none. MATCH means every operation in scope
was checked and nothing drifted; each other outcome has a verdict and an exit status of its own (MEANINGS).
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field

REFUSED = frozenset({401, 403})


class Verdict(enum.Enum):
    MATCH = 0
    DRIFT = 1
    INCOMPLETE = 3
    NOT_RUN = 4
    KEY_REFUSED = 5

    @property
    def exit_status(self) -> int:
        return self.value


USAGE = 2  # argparse's own: bad arguments, or a budget that cannot reach every operation (nothing was sent)
MEANINGS = [  # (verdict, exit status, meaning): `contract --help` and the README show this table
    ("MATCH", Verdict.MATCH.value, "every operation in scope was checked, and none differs from the contract"),
    ("DRIFT", Verdict.DRIFT.value, "a check failed: the operations, and a curl for each failure, are printed"),
    ("(usage)", USAGE, "bad arguments, or --max-cases below the operations in scope: nothing was sent"),
    ("INCOMPLETE", Verdict.INCOMPLETE.value, "no drift, but an operation was not checked (0 cases, only 401/403, "
                                             "an error)"),
    ("NOT RUN", Verdict.NOT_RUN.value, "the deployment could not be reached, or the run failed before any check"),
    ("KEY REFUSED", Verdict.KEY_REFUSED.value, "every answer behind the key was 401/403: wrong or expired key"),
]


@dataclass(slots=True)
class Drift:
    """One check that failed on one operation: the smallest request that shows it."""

    check: str
    title: str
    message: str
    curl: str
    status: int | None


@dataclass(slots=True)
class OperationResult:
    label: str  # "POST /v1/reports"
    needs_key: bool = True
    documented: frozenset[int] = frozenset()  # its documented statuses (empty: any, a `default` answer)
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0  # the deployment's time answering this operation's cases
    capped: bool = False  # its share of --max-cases ran out before its example and coverage cases did
    unanswered: int = 0  # requests that got no answer (a timeout, a closed connection)
    drifts: dict[tuple[str, str], Drift] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def reached(self) -> int:
        """How many of its answers came from the operation's logic."""
        if self.needs_key:
            return sum(n for status, n in self.statuses.items() if status not in REFUSED)
        return sum(n for status, n in self.statuses.items() if not self.documented or status in self.documented)

    @property
    def checked(self) -> bool:
        return self.reached > 0

    @property
    def state(self) -> str:
        """`drift`, `error`, `not checked` or `ok`, in that order of weight."""
        if self.drifts:
            return "drift"
        if self.errors:
            return "error"
        return "ok" if self.checked else "not checked"

    def why_not_checked(self, stopped: str | None) -> str:
        if self.cases == 0 and self.unanswered:
            return f"0 answers: {self.unanswered} requests got none (a timeout or a closed connection)"
        if self.cases == 0:
            return "0 cases: the run stopped before it" if stopped else "0 cases: Schemathesis made none for it"
        if self.needs_key:
            refused = ", ".join(f"{n} x {status}" for status, n in sorted(self.statuses.items()))
            return (f"only refused answers ({refused}): the key, or the workspace a case named, was refused; "
                    "nothing behind it was reached")
        return f"no documented answer among its {self.cases} cases"


@dataclass(slots=True)
class RunResult:
    operations: dict[str, OperationResult]
    skipped: list[str]  # operations left out of scope, with why
    stopped: str | None = None  # why the run ended early, if it did
    fatal: str | None = None  # the run could not start or went wrong as a whole
    refused: str | None = None  # the key was refused on everything that needs one
    interrupted: bool = False  # stopped by the user (Ctrl-C): never a match
    seconds: float = 0.0
    rate_limit: str | None = None

    @property
    def cases(self) -> int:
        return sum(o.cases for o in self.operations.values())

    @property
    def checked(self) -> list[OperationResult]:
        return [o for o in self.operations.values() if o.checked]

    def count(self, state: str) -> int:
        return sum(o.state == state for o in self.operations.values())

    @property
    def verdict(self) -> Verdict:
        if self.refused:
            return Verdict.KEY_REFUSED
        if self.count("drift"):
            return Verdict.DRIFT
        if self.fatal and not self.checked:
            return Verdict.NOT_RUN
        if (self.fatal or self.interrupted or not self.operations or len(self.checked) < len(self.operations)
                or self.count("error")):
            return Verdict.INCOMPLETE
        return Verdict.MATCH

    @property
    def matched(self) -> bool:
        return self.verdict is Verdict.MATCH
