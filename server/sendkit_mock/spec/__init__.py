"""Reading the OpenAPI documents: what every part of the mock that reads a contract shares."""

from .documents import Document, Documents, load
from .operations import Operation, OperationIndex, Route, template_pattern
from .refs import deref, resolved

__all__ = ["Document", "Documents", "Operation", "OperationIndex", "Route", "deref", "load", "resolved",
           "template_pattern"]
