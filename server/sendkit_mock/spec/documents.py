"""The two OpenAPI documents the mock serves, loaded once per version of their files.

`openapi.yaml` is SendKit's Reports API and nothing else. `mock-api.yaml` (in this folder) is the mock's own API:
the control plane under `/__mock`, and how a call names its session or asks for `Prefer`. It is written against
SendKit's document: the components it uses and does not define (`Report`, `Error`, the error answers, the key
schemes) are bundled in from `openapi.yaml` when it is loaded, so what is served, linted and validated is one
self-contained document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .refs import target

MOCK_API = Path(__file__).resolve().parent / "mock-api.yaml"
_SERVERS_BLOCK = re.compile(r"^servers:\n(?:[ -].*\n)*", re.M)
_REF = re.compile(r"^#/components/([^/]+)/([^/]+)$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True, eq=False)  # one per file version: known by identity
class Document:
    """One OpenAPI document: its text as served, the parsed document, and where its paths are mounted."""

    title: str  # what Swagger UI's definition list calls it
    text: str
    document: Mapping[str, Any]
    _served: dict[tuple[str, str], bytes] = field(default_factory=dict)

    @property
    def base_path(self) -> str:
        """Where the document's paths live on the mock: '' for SendKit's API, '/__mock' for the mock's own."""
        servers = self.document.get("servers") or [{"url": "/"}]
        return urlsplit(str(servers[0].get("url", "/"))).path.rstrip("/")

    @property
    def spec_path(self) -> str:
        return f"{self.base_path}/openapi"

    def servers(self, base_url: str) -> list[dict[str, str]]:
        description = (self.document.get("servers") or [{}])[0].get("description", "this mock")
        return [{"url": base_url + self.base_path, "description": description}]

    def as_json(self, base_url: str) -> bytes:
        return self._cached("json", base_url, lambda: json.dumps(
            {**self.document, "servers": self.servers(base_url)}, ensure_ascii=False).encode())

    def as_yaml(self, base_url: str) -> bytes:
        def render() -> bytes:
            (entry,) = self.servers(base_url)
            url, description = json.dumps(entry["url"]), json.dumps(entry["description"])
            block = f"servers:\n  - url: {url}\n    description: {description}\n"
            if not _SERVERS_BLOCK.search(self.text):  # none written: one added (top-level keys have no order)
                return (block + self.text).encode()
            return _SERVERS_BLOCK.sub(lambda _: block, self.text, count=1).encode()

        return self._cached("yaml", base_url, render)

    def _cached(self, kind: str, base_url: str, render: Callable[[], bytes]) -> bytes:
        key = (kind, base_url)
        if key not in self._served:
            if len(self._served) > 64:  # a client can send any Host: keep the cache small
                self._served.clear()
            self._served[key] = render()
        return self._served[key]


@dataclass(frozen=True, slots=True)
class Documents:
    """SendKit's contract first, then the mock's own API."""

    sendkit: Document
    mock: Document

    def __iter__(self) -> Any:
        return iter((self.sendkit, self.mock))


def load(contract: Path, mock_api: Path = MOCK_API) -> Documents:
    """Both documents, parsed once per version of the files (a mock is built per test)."""
    return _load(contract, contract.stat().st_mtime_ns, mock_api, mock_api.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _load(contract: Path, contract_mtime: int, mock_api: Path, mock_mtime: int) -> Documents:
    sendkit_text = contract.read_text(encoding="utf-8")
    sendkit = _parse(sendkit_text, contract)
    mock = bundle(_parse(mock_api.read_text(encoding="utf-8"), mock_api), sendkit)
    mock_text = yaml.safe_dump(mock, sort_keys=False, allow_unicode=True, width=120)
    return Documents(Document("SendKit Reports API", sendkit_text, sendkit),
                     Document("sendkit-mock control plane", mock_text, mock))


def _parse(text: str, path: Path) -> dict[str, Any]:
    loaded = yaml.load(text, Loader=_Loader)
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} is not an OpenAPI document")
    return loaded


def bundle(document: Mapping[str, Any], source: Mapping[str, Any]) -> dict[str, Any]:
    """`document` with the components it refers to and does not define copied from `source` (and what those
    refer to, and so on). A component both define differently is a ValueError naming it."""
    out: dict[str, Any] = {**document, "components": {k: dict(v) for k, v in document.get("components", {}).items()}}
    components = out["components"]
    todo = list(_refs(document))
    while todo:
        ref = todo.pop()
        match = _REF.match(ref)
        if match is None:
            raise ValueError(f"$ref {ref!r}: only #/components/... references can be bundled")
        kind, name = match.groups()
        if name in components.get(kind, {}):
            continue
        found = target(source, ref)  # a ValueError naming the reference when SendKit's has none
        components.setdefault(kind, {})[name] = found
        todo += _refs(found)
    for name in sorted(_schemes(document)):  # security requirements name their schemes, not by $ref
        if name not in components.get("securitySchemes", {}):
            components.setdefault("securitySchemes", {})[name] = source["components"]["securitySchemes"][name]
    for kind, entries in document.get("components", {}).items():
        clashes = sorted(set(entries) & set(source.get("components", {}).get(kind, {})))
        if clashes:
            raise ValueError(f"the mock's API defines {kind} {clashes} that openapi.yaml defines too")
    return out


def _schemes(document: Mapping[str, Any]) -> set[str]:
    requirements = list(document.get("security", []))
    for item in document.get("paths", {}).values():
        requirements += [r for op in item.values() if isinstance(op, Mapping) for r in op.get("security", [])]
    return {name for requirement in requirements for name in requirement}


def _refs(node: Any) -> list[str]:
    if isinstance(node, Mapping):
        own = [str(node["$ref"])] if "$ref" in node else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []
