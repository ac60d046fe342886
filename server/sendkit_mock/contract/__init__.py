"""`sendkit-mock contract`: the bundled openapi.yaml checked against any deployment by Schemathesis."""

from .report import junit_xml, summary
from .runner import CheckOptions, Drift, OperationResult, RunResult, check

__all__ = ["CheckOptions", "Drift", "OperationResult", "RunResult", "check", "junit_xml", "summary"]
