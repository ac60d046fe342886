"""Every operation of the served documents, found by method and path: the one router of the mock's own layers.

connexion routes a request to its handler; everything the mock does around it (the 405's `Allow`, CORS
preflights, which requests the journal and the simulation see, the views' arguments, the proxy's checks,
the plugin's path templates) asks this index. A path template becomes one regular expression here, and a
literal segment wins over a parameter (`/v1/reports/recipients` before `/v1/reports/{id}`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .documents import Document
from .refs import deref

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAMETER = re.compile(r"(\{[^}/]+\})")


def template_pattern(template: str) -> str:
    """A path template as a regular expression: each `{name}` one path segment, the rest literal."""
    return "".join(f"(?P<{_group(part)}>[^/]+)" if part.startswith("{") else re.escape(part)
                   for part in _PARAMETER.split(template) if part)


def _group(part: str) -> str:
    name = re.sub(r"\W", "_", part[1:-1])
    return name if name and not name[0].isdigit() else f"p_{name}"


@dataclass(frozen=True, slots=True)
class Operation:
    method: str  # upper case
    template: str  # the path as the mock serves it: the document's base path and its template
    operation_id: str
    spec: Mapping[str, Any]  # the operation object, as written
    parameters: tuple[Mapping[str, Any], ...]  # its own and its path's, dereferenced, its own first
    document: Document

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"


@dataclass(frozen=True, slots=True)
class Route:
    """One path template and the operations on it."""

    template: str
    pattern: re.Pattern[str]
    operations: Mapping[str, Operation]  # by upper-case method
    allow: str  # the `Allow` header: the documented methods, and HEAD wherever GET is

    def operation(self, method: str) -> Operation | None:
        return self.operations.get("GET" if method == "HEAD" else method)

    def values(self, path: str) -> dict[str, str]:
        """The path parameters of a path this route matches, by their names in the template."""
        match = self.pattern.fullmatch(path)
        if match is None:
            return {}
        return {part[1:-1]: match.group(_group(part)) for part in _PARAMETER.findall(self.template)}


class OperationIndex:
    def __init__(self, documents: Iterable[Document]) -> None:
        self.documents = tuple(documents)
        routes = [route for document in self.documents for route in _routes(document)]
        # The most literal template wins: fewer parameters first, then more literal characters.
        routes.sort(key=lambda r: (r.template.count("{"), -len(_PARAMETER.sub("", r.template))))
        self.routes: tuple[Route, ...] = tuple(routes)
        self.by_id = {op.operation_id: op for route in routes for op in route.operations.values()}
        every = {m for route in routes for m in route.allow.split(", ")}
        self.every_method = ", ".join(sorted(every))

    def route(self, path: str) -> Route | None:
        """The route of a request's path, or None where no document has it."""
        for route in self.routes:
            if route.pattern.fullmatch(path):
                return route
        return None

    def operation(self, method: str, path: str) -> Operation | None:
        route = self.route(path)
        return route.operation(method) if route is not None else None

    def of(self, document: Document) -> list[Operation]:
        return [op for op in self.by_id.values() if op.document is document]


def _routes(document: Document) -> list[Route]:
    spec, base = document.document, document.base_path
    out = []
    for template, item in (spec.get("paths") or {}).items():
        shared = [deref(spec, p) for p in item.get("parameters", [])]
        operations = {}
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            own = [deref(spec, p) for p in operation.get("parameters", [])]
            names = {(p["in"], p["name"]) for p in own}
            parameters = tuple(own + [p for p in shared if (p["in"], p["name"]) not in names])
            operations[method.upper()] = Operation(method.upper(), base + template, str(operation.get("operationId")),
                                                   operation, parameters, document)
        methods = set(operations) | ({"HEAD"} if "GET" in operations else set())
        full = base + template
        out.append(Route(full, re.compile(template_pattern(full)), operations, ", ".join(sorted(methods))))
    return out
