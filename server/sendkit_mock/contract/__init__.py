"""`sendkit-mock contract`: the bundled openapi.yaml checked against any deployment by Schemathesis, with a
verdict that is green only when every operation in scope was checked and matched."""

from .report import junit_xml, summary
from .runner import CheckOptions, Progress, UsageError, check
from .verdict import Drift, OperationResult, RunResult, Verdict

__all__ = ["CheckOptions", "Drift", "OperationResult", "Progress", "RunResult", "UsageError", "Verdict", "check",
           "junit_xml", "summary"]
