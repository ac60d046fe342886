"""`sendkit-mock contract`: the bundled openapi.yaml checked against any deployment by Schemathesis, with a
verdict that is green only when every operation in scope was checked and matched."""

from .observer import Progress
from .options import CheckOptions, UsageError
from .report import junit_xml, summary
from .runner import check
from .verdict import Drift, OperationResult, RunResult, Verdict

__all__ = ["CheckOptions", "Drift", "OperationResult", "Progress", "RunResult", "UsageError", "Verdict", "check",
           "junit_xml", "summary"]
