"""A garbage fuzz over every operation of both documents: whatever a client sends, the answer is SendKit's error
shape (or a documented success), never a 500, never HTML or a stack trace.

The operations come from the loaded documents (`OperationIndex`), so one added to either document is fuzzed
without a word here. Each garbage kind is one test that sends its cases to every operation it applies to and
lists every failure at once, each naming the operation, the case and the mock's own traceback line. A state
import's entries, which no schema sees into, get a test of their own: each member of a real export spoiled and,
where the mock took the document, every read of the session after it (what the mock accepts, it must serve).

Requests reach the ASGI app as uvicorn hands them over (raw path, query and header bytes), which an HTTP client
cannot do: httpx resolves `..`, re-encodes a query and refuses non-ASCII header values. Every request carries the
default workspace's key and the admin token, so it gets past authentication to validation. Seeded: one
`random.Random(f"{SEED}:{kind}")` per kind, never the global generator.
"""

from __future__ import annotations

import copy
import json
import logging
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import anyio
import jsonschema
import pytest

from sendkit_mock import ManualClock, Mock, Settings, create_mock, spec
from sendkit_mock.delivery.senders import RecordingSender
from sendkit_mock.resources import spec_path
from sendkit_mock.spec import Operation
from sendkit_mock.spec.refs import deref, resolved
from tests.conftest import WS_KEY

SEED = 20261205
LIMIT = Settings().max_body_bytes  # the default body limit, which the mock under test keeps
JSON = "application/json"
TOKEN = "s3cret-admin-token"  # the control plane guarded, so garbage in X-Mock-Admin-Token meets the check
MARK = "@GARBAGE@"  # where raw bytes go into an encoded body
DOCUMENTS = spec.load(spec_path())
INDEX = spec.OperationIndex(DOCUMENTS)
ERROR = resolved(DOCUMENTS.sendkit.document, DOCUMENTS.sendkit.document["components"]["schemas"]["Error"])
Path = tuple[str | int, ...]  # where a property sits in a body: keys and list indexes


# --- the operations, as the documents give them -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Property:
    path: Path
    types: frozenset[str]  # JSON types the schema allows; empty: any
    nullable: bool
    checked: bool  # by a pattern, an enum or a format
    formats: frozenset[str]

    @property
    def name(self) -> str:
        return named(self.path)


def named(path: Path) -> str:
    """`schedule.timeOfDay`, `outbox[0]._id`."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


@dataclass(frozen=True, slots=True)
class Target:
    operation: Operation
    path: str  # raw, each path parameter its example
    body: Any  # the document's example body; None: the operation takes none
    properties: tuple[Property, ...]
    parameters: dict[str, tuple[str, ...]]  # names by `in`

    @property
    def strings(self) -> list[Property]:
        return [p for p in self.properties if not p.types or "string" in p.types]


def _example(parameter: dict[str, Any]) -> str:
    return str(parameter.get("example", parameter.get("schema", {}).get("example", "x")))


def _facets(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield schema
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            yield from _facets(part)


def _properties(schema: dict[str, Any], prefix: Path = ()) -> Iterator[Property]:
    """Every property of a body schema, nested objects and the objects of arrays included."""
    for facet in _facets(schema):
        for name, prop in (facet.get("properties") or {}).items():
            facets = list(_facets(prop))
            types = frozenset(str(f["type"]) for f in facets if "type" in f)
            checked = any(k in f for f in facets for k in ("pattern", "enum", "format"))
            formats = frozenset(str(f["format"]) for f in facets if "format" in f)
            yield Property((*prefix, name), types, any(f.get("nullable") for f in facets), checked, formats)
            if "object" in types and len(prefix) < 4:
                yield from _properties(prop, (*prefix, name))
            items = prop.get("items") or {}
            if "array" in types and "properties" in items and len(prefix) < 4:
                yield from _properties(items, (*prefix, name, 0))


def _target(operation: Operation) -> Target:
    document = operation.document.document
    path = operation.template
    for parameter in operation.parameters:
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", _example(parameter))
    body, properties = None, ()
    if "requestBody" in operation.spec:
        media = deref(document, operation.spec["requestBody"])["content"][JSON]
        body = media["example"]
        properties = tuple(dict.fromkeys(_properties(resolved(document, media["schema"]))))
    where: dict[str, tuple[str, ...]] = {}
    for parameter in operation.parameters:
        where[parameter["in"]] = (*where.get(parameter["in"], ()), parameter["name"])
    return Target(operation, path, body, properties, where)


TARGETS = [_target(op) for op in INDEX.by_id.values() if op.parameters or "requestBody" in op.spec]


# --- bodies ----------------------------------------------------------------------------------------------------


def with_value(body: Any, path: Path, value: Any) -> Any:
    """A copy of `body` with `value` at `path`, the containers on the way made as needed."""
    out = copy.deepcopy(body) if isinstance(body, dict) else {}
    node = out
    for step, following in zip(path, path[1:], strict=False):
        node = _descend(node, step, list if isinstance(following, int) else dict)
    if isinstance(node, list):
        node[:1] = [value]
    else:
        node[path[-1]] = value
    return out


def _descend(node: Any, step: str | int, kind: type) -> Any:
    """The container at `step` (of an array, its first item), made a `kind` if it is none."""
    if isinstance(node, list):
        node[:1] = [node[0] if node and isinstance(node[0], kind) else kind()]
        return node[0]
    if not isinstance(node.get(step), kind):
        node[step] = kind()
    return node[step]


def encoded(body: Any) -> bytes:
    return json.dumps(body).encode()  # ASCII: a lone surrogate goes out as its \uXXXX escape


def spliced(body: Any, path: Path, raw: bytes, *, around: tuple[str, str] | None = None) -> bytes:
    """`body` encoded with `raw` bytes in place of the value at `path` (`around`: inside a string value)."""
    if around is None:
        return encoded(with_value(body, path, MARK)).replace(b'"' + MARK.encode() + b'"', raw)
    return encoded(with_value(body, path, around[0] + MARK + around[1])).replace(MARK.encode(), raw)


def _at(body: Any, path: Path) -> Any:
    for step in path:
        if isinstance(body, dict) and isinstance(step, str):
            body = body.get(step)
        elif isinstance(body, list) and isinstance(step, int) and step < len(body):
            body = body[step]
        else:
            return None
    return body


# --- the kinds of garbage ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Garbage:
    what: str
    body: bytes | None = None  # None: the operation's example (nothing when it takes no body)
    content_type: str | None = JSON
    path: str | None = None  # raw, percent-encoded; None: the operation's, with valid values
    query: str = ""  # raw
    headers: tuple[tuple[str, bytes], ...] = ()


Kind = Callable[[Target, random.Random], Iterator[Garbage]]
KINDS: dict[str, tuple[Callable[[Target], bool], Kind]] = {}


def kind(name: str, applies: Callable[[Target], bool]) -> Callable[[Kind], Kind]:
    def register(generate: Kind) -> Kind:
        KINDS[name] = (applies, generate)
        return generate

    return register


def takes_body(target: Target) -> bool:
    return target.body is not None


def cases(name: str) -> list[tuple[Target, Garbage]]:
    """Every case of a kind, the same on every run (one generator per kind, seeded)."""
    applies, generate = KINDS[name]
    rng = random.Random(f"{SEED}:{name}")
    return [(target, garbage) for target in TARGETS if applies(target) for garbage in generate(target, rng)]


SURROGATES = ["\ud800", "\udfff", "x\udc00y", "\udc00\ud800"]  # lone highs and lows, and a pair reversed


@kind("lone surrogates", takes_body)
def lone_surrogates(target: Target, rng: random.Random) -> Iterator[Garbage]:
    for prop in target.strings:
        for value in SURROGATES:
            yield Garbage(f"{prop.name} = {value!a}", encoded(with_value(target.body, prop.path, value)))
        example = _at(target.body, prop.path)
        if prop.checked and isinstance(example, str):  # a valid value, then a surrogate: past a pattern's prefix
            yield Garbage(f"{prop.name} = {example + SURROGATES[0]!a}",
                          encoded(with_value(target.body, prop.path, example + SURROGATES[0])))
    for prop in [p for p in target.properties if "object" in p.types] + [None]:
        for key in ("\ud800", "\udfffx"):
            path = (*prop.path, key) if prop else (key,)
            yield Garbage(f"key {key!a} in {prop.name if prop else 'the body'}",
                          encoded(with_value(target.body, path, 1)))
    yield Garbage("the body a lone surrogate", encoded(SURROGATES[0]))


CHARSETS = [("charset=bogus", "utf-8"), ("charset=utf-16", "utf-8"), ("charset=utf-16", "utf-16"),
            ("charset=utf-16le", "utf-16-le"), ("charset=utf-32", "utf-32"), ("charset=latin-1", "latin-1"),
            ("charset=iso-8859-1", "latin-1"), ("charset=", "utf-8"), ("charset", "utf-8"),
            ("charset=utf-8; charset=utf-16", "utf-8"), ("charset=utf-7", "utf-7"), ("charset=\"\\\"", "utf-8")]
MEDIA_TYPES = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
               "application/problem+json", "text/json", "*/*", "application/*", "APPLICATION/JSON",
               "application/json;;", "application/jsonx", "json", "", "application/json\t; q=0"]


@kind("charsets and content types", takes_body)
def charsets(target: Target, rng: random.Random) -> Iterator[Garbage]:
    accented = with_value(target.body, rng.choice(target.strings).path, "caf\u00e9 na\u00efve")
    text = json.dumps(accented, ensure_ascii=False)
    for parameter, codec in CHARSETS:
        yield Garbage(f"{parameter} with a {codec} body", text.encode(codec), f"{JSON}; {parameter}")
    for codec in ("utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"):
        yield Garbage(f"a {codec} body, no charset", text.encode(codec))
    for media_type in MEDIA_TYPES:
        yield Garbage(f"Content-Type {media_type!r}", encoded(target.body), media_type)
    yield Garbage("a form body", b"reportType=workspace&name=%ED%A0%80", "application/x-www-form-urlencoded")
    yield Garbage("a multipart body", b'--x\r\nContent-Disposition: form-data; name="name"\r\n\r\n\xff\r\n--x--\r\n',
                  "multipart/form-data; boundary=x")
    yield Garbage("no Content-Type", encoded(target.body), None)


BAD_UTF8 = [b"\xff", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"\xe2\x82"]


@kind("invalid UTF-8", takes_body)
def invalid_utf8(target: Target, rng: random.Random) -> Iterator[Garbage]:
    for raw in BAD_UTF8:
        for prop in rng.sample(target.strings, min(2, len(target.strings))):
            yield Garbage(f"{raw!r} in {prop.name}", spliced(target.body, prop.path, raw, around=("a", "b")))
        key = encoded(with_value(target.body, (MARK,), 1)).replace(MARK.encode(), raw)
        yield Garbage(f"{raw!r} in a key", key)
        yield Garbage(f"a body ending in {raw!r}", encoded(target.body)[:-1] + raw)
    for size in (64, 4096):
        yield Garbage(f"{size} random bytes", rng.randbytes(size))


@kind("deep nesting", takes_body)
def deep_nesting(target: Target, rng: random.Random) -> Iterator[Garbage]:
    prop = rng.choice(target.properties)
    for depth in (200, 10_000):
        shapes = {"arrays": b"[" * depth + b"]" * depth, "objects": b'{"a":' * depth + b"1" + b"}" * depth,
                  "arrays and objects": b'[{"a":' * (depth // 2) + b"1" + b"}]" * (depth // 2)}
        for shape, raw in shapes.items():
            yield Garbage(f"{depth} levels of {shape}", raw)
            yield Garbage(f"{depth} levels of {shape} in {prop.name}", spliced(target.body, prop.path, raw))
        yield Garbage(f"{depth} unclosed arrays", b"[" * depth)


HUGE = [b"1e400", b"-1e400", b"1e-400", b"1" + b"0" * 5000, b"-" + b"9" * 5001, b"0." + b"0" * 400 + b"1",
        b"123456789012345678901234567890", b"1E+999999999", b"-0", b"1.0e+2147483648"]


@kind("huge numbers", takes_body)
def huge_numbers(target: Target, rng: random.Random) -> Iterator[Garbage]:
    numeric = [p for p in target.properties if p.types & {"integer", "number"}]
    for prop in numeric + [rng.choice(target.properties)]:
        for raw in HUGE:
            yield Garbage(f"{prop.name} = {raw[:24].decode()}", spliced(target.body, prop.path, raw))
    for raw in HUGE[:6]:
        yield Garbage(f"the body {raw[:24].decode()}", raw)


VALUES: dict[str, Any] = {"string": "x", "integer": 7, "number": 2.5, "boolean": True, "array": [], "object": {}}


def wrong_values(prop: Property) -> list[Any]:
    """A value of each JSON type the property does not take (null is a kind of its own)."""
    allowed = set(prop.types) | ({"integer"} if "number" in prop.types else set())
    wrong = [value for name, value in VALUES.items() if prop.types and name not in allowed]
    return wrong + ([7.0, "7", [7]] if "integer" in prop.types else [])


@kind("wrong types", takes_body)
def wrong_types(target: Target, rng: random.Random) -> Iterator[Garbage]:
    for prop in target.properties:
        for value in wrong_values(prop):
            yield Garbage(f"{prop.name} = {json.dumps(value)}", encoded(with_value(target.body, prop.path, value)))


@kind("null", takes_body)
def nulls(target: Target, rng: random.Random) -> Iterator[Garbage]:
    yield Garbage("the body null", b"null")
    for prop in target.properties:
        if not prop.nullable:
            yield Garbage(f"{prop.name} = null", encoded(with_value(target.body, prop.path, None)))


@kind("empty body", takes_body)
def empty(target: Target, rng: random.Random) -> Iterator[Garbage]:
    for raw in (b"", b" \r\n\t", b"{}", b"[]", b'""', b"0"):
        yield Garbage(f"the body {raw!r}", raw)
    yield Garbage("no body and no Content-Type", b"", None)
    for prop in [p for p in target.properties if "object" in p.types]:
        yield Garbage(f"{prop.name} = {{}}", encoded(with_value(target.body, prop.path, {})))


@kind("truncated JSON", takes_body)
def truncated(target: Target, rng: random.Random) -> Iterator[Garbage]:
    text = encoded(target.body)
    for cut in sorted(rng.sample(range(1, len(text)), min(10, len(text) - 1))):
        yield Garbage(f"cut after {cut} of {len(text)} bytes", text[:cut])
    for raw in (b"{", b'{"', b'{"a', b'{"a":', b'{"a": "\\u00', b'{"a": "\\', b'{"a": 1,', b'{"a": tru', b'{"a": -'):
        yield Garbage(f"the body {raw!r}", raw)


@kind("NUL bytes", takes_body)
def nul_bytes(target: Target, rng: random.Random) -> Iterator[Garbage]:
    text = encoded(target.body)
    for prop in target.strings:
        for value in ("\x00", "x\x00y"):
            yield Garbage(f"{prop.name} = {value!a}", encoded(with_value(target.body, prop.path, value)))
    for prop in rng.sample(target.strings, min(2, len(target.strings))):
        yield Garbage(f"a raw NUL in {prop.name}", spliced(target.body, prop.path, b"\x00", around=("a", "b")))
    yield Garbage("a key \\u0000", encoded(with_value(target.body, ("\x00",), 1)))
    for raw in (b"\x00" + text, text + b"\x00", b"\x00", text.replace(b":", b":\x00", 1)):
        yield Garbage(f"raw NUL: {raw[:16]!r}", raw)


@kind("long strings", takes_body)
def long_strings(target: Target, rng: random.Random) -> Iterator[Garbage]:
    prop = rng.choice(target.strings)
    bare = len(encoded(with_value(target.body, prop.path, "")))
    for size, where in ((LIMIT, "at"), (LIMIT + 1, "1 byte over")):
        yield Garbage(f"{prop.name} filling the body to {where} the limit",
                      encoded(with_value(target.body, prop.path, "x" * (size - bare))))
    yield Garbage("a key of 100 KB", encoded(with_value(target.body, ("k" * 100_000,), 1)))
    for prop in target.strings:
        yield Garbage(f"{prop.name} of 10 KB", encoded(with_value(target.body, prop.path, "\u00e9" * 10_240)))


@kind("duplicate keys", takes_body)
def duplicate_keys(target: Target, rng: random.Random) -> Iterator[Garbage]:
    text = encoded(target.body)
    for prop in [p for p in target.properties if len(p.path) == 1]:
        key = json.dumps(prop.path[0]).encode()
        for value in wrong_values(prop)[:2] + [_at(target.body, prop.path)]:
            raw = key + b": " + json.dumps(value).encode()
            yield Garbage(f"{prop.name} twice, {json.dumps(value)} first", b"{" + raw + b", " + text[1:])
            yield Garbage(f"{prop.name} twice, {json.dumps(value)} last", text[:-1] + b", " + raw + b"}")


BOMS = {"UTF-8 BOM": b"\xef\xbb\xbf", "two UTF-8 BOMs": b"\xef\xbb\xbf" * 2, "UTF-16 LE BOM": b"\xff\xfe",
        "UTF-16 BE BOM": b"\xfe\xff", "UTF-32 BOM": b"\xff\xfe\x00\x00"}


@kind("BOM prefix", takes_body)
def bom_prefix(target: Target, rng: random.Random) -> Iterator[Garbage]:
    text = encoded(target.body)
    for name, bom in BOMS.items():
        yield Garbage(f"{name}, then a UTF-8 body", bom + text)
        yield Garbage(f"{name} with charset=utf-8", bom + text, f"{JSON}; charset=utf-8")
    yield Garbage("a BOM alone", BOMS["UTF-8 BOM"])
    yield Garbage("a space, then a BOM", b" " + BOMS["UTF-8 BOM"] + text)
    yield Garbage("a UTF-16 body with its BOM", text.decode().encode("utf-16"))
    prop = rng.choice(target.strings)
    yield Garbage(f"a BOM in {prop.name}", spliced(target.body, prop.path, BOMS["UTF-8 BOM"], around=("", "x")))


@kind("arrays for objects", takes_body)
def arrays_for_objects(target: Target, rng: random.Random) -> Iterator[Garbage]:
    for body in ([target.body], [], [[]], [{}], [target.body, target.body], "text", 42, True, 1.5):
        yield Garbage(f"the body {json.dumps(body)[:40]}", encoded(body))
    for prop in [p for p in target.properties if "object" in p.types]:
        value = [_at(target.body, prop.path) or {}]
        yield Garbage(f"{prop.name} = [{{...}}]", encoded(with_value(target.body, prop.path, value)))


# Instants a date or date-time field may be handed: a leap second, the ends of what datetime holds, and
# spellings RFC 3339 or ISO 8601 allow that a parser may not.
DATES = ["2026-12-31T23:59:60Z", "0001-01-01T00:00:00Z", "0000-01-01", "9999-12-31T23:59:59.999999999Z",
         "2026-02-30", "2026-13-01", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00-00:00",
         "2026-01-01T00:00:00." + "1" * 60 + "Z", "1970-01-01T00:00:00+14:00", "2099-12-31T23:59:59-12:00",
         "2026-W01-1", "2026-001", "20260101", "2026-01-01T00:00Z", "2026-01-01 00:00:00Z", "+002026-01-01",
         "2026-01-01T00:00:00\u0000Z", "\u0661\u0669\u0667\u0660-01-01"]


@kind("odd dates", lambda target: any(p.formats & {"date", "date-time"} for p in target.properties))
def odd_dates(target: Target, rng: random.Random) -> Iterator[Garbage]:
    for prop in [p for p in target.properties if p.formats & {"date", "date-time"}]:
        for value in DATES:
            yield Garbage(f"{prop.name} = {value!a}", encoded(with_value(target.body, prop.path, value)))


@kind("a body where none is taken", lambda target: target.body is None)
def unexpected_body(target: Target, rng: random.Random) -> Iterator[Garbage]:
    yield Garbage("a JSON body with a lone surrogate", b'{"x": "\\ud800"}')
    yield Garbage("invalid UTF-8", b"\xff\xfe\xfd")
    yield Garbage("10,000 levels of arrays", b"[" * 10_000 + b"]" * 10_000)
    yield Garbage("1 byte over the limit", b"x" * (LIMIT + 1))
    yield Garbage("charset=bogus", b"{}", f"{JSON}; charset=bogus")
    yield Garbage("a form", b"a=%ED%A0%80", "application/x-www-form-urlencoded")
    yield Garbage("text", b"garbage", "text/plain")


# What a client may put in a path segment or a query value (percent-encoded, as it arrives).
ODD = ["%00", "%ED%A0%80", "%FF", "%C0%AF", "%EF%BB%BF1", "%C3%A9", "%F0%9F%98%80", "%E2%80%AE", "%0A", "%0D%0A",
       "%20", "%09", "%", "%zz", "%2500", "%22%3E%3Cscript%3E", "1e400", "-1e400", "1" + "0" * 5000,
       "-" + "9" * 5001, "1.5", "0x10", "1_000", "%EF%BC%91", "%D9%A1", "%F0%9D%9F%99", "+1", "%201%20", "NaN",
       "Infinity", "true", "null", "[]", "{}", "%5B" * 200, "%7B%22a%22%3A" * 200, "a" * 10_240]
ODD_IDS = ["..", ".", "%2E%2E", "%2e", "..%2F..%2F__mock%2Fserver", "%2F", "a%2Fb", ";", "a;b=c", "%3B", "%3F",
           "%23", "~", "*", "ABCDEF0123456789ABCDEF01", "665a1f0c2b3d4e5f6a7b8c0", "665a1f0c2b3d4e5f6a7b8c011",
           "665a1f0c2b3d4e5f6a7b8c01%00", "%EF%BC%91" * 24, "0" * 10_240]


@kind("odd path ids", lambda target: "path" in target.parameters)
def odd_path_ids(target: Target, rng: random.Random) -> Iterator[Garbage]:
    for name in target.parameters["path"]:
        for value in ODD + ODD_IDS:
            path = target.operation.template
            for other in target.operation.parameters:
                if other["in"] == "path" and other["name"] != name:
                    path = path.replace("{" + other["name"] + "}", _example(other))
            yield Garbage(f"{name} = {value[:40]}", path=path.replace("{" + name + "}", value))


# The mock's own query words on SendKit's operations (mock-api.yaml's description), with values it refuses.
WORDS = ["__delay=1e400", "__delay=-1", "__delay=%ED%A0%80", "__code=abc", "__code=" + "9" * 5001, "__code=999",
         "__fault=%00", "__fault=bogus", "__example=%ED%A0%80", "__dynamic=maybe", "__status=%FF",
         "__session=%00", "__session=" + "a" * 100]


@kind("odd queries", lambda target: "query" in target.parameters)
def odd_queries(target: Target, rng: random.Random) -> Iterator[Garbage]:
    for name in target.parameters["query"]:
        for value in ODD:
            yield Garbage(f"{name} = {value[:40]}", query=f"{name}={value}")
        yield Garbage(f"{name} of 1 MB", query=f"{name}=" + "a" * 1_048_576)
        for raw in (name, f"{name}=", f"{name}=1&{name}=2", f"{name}[]=1", f"{name}[a][b]=1", f"{name}=1;x=2",
                    f"{name}=%00&{name}=%ED%A0%80", f"%ED%A0%80{name}=1"):
            yield Garbage(f"query {raw[:40]}", query=raw)
    for raw in ("colour=red", "%ED%A0%80=1", "%00=1", "=", "&&&", "%3D=%3D", "a" * 10_240 + "=1"):
        yield Garbage(f"query {raw[:40]}", query=raw)
    for raw in WORDS if target.operation.document is DOCUMENTS.sendkit else []:
        yield Garbage(f"query {raw[:40]}", query=raw)


HEADER_VALUES = [b"", b" ", b"\xff\xfe", b"caf\xe9", "caf\u00e9".encode(), b"\xed\xa0\x80", b"a" * 10_240,
                 b"ABCDEF0123456789ABCDEF01", b"665a1f0c2b3d4e5f6a7b8c01, 665a1f0c2b3d4e5f6a7b8c02", b"\t",
                 b"1e400", b"../../etc", b"%00"]
PREFER = [b"code=abc", b"code=99999999999999999999", b"delay=1e400", b"delay=-1", b"fault=\xff",
          b"example=\xed\xa0\x80", b"status=bogus", b"dynamic=maybe", b"code=", b"=", b",,,", b"x" * 2_000]


@kind("odd headers", lambda target: "header" in target.parameters)
def odd_headers(target: Target, rng: random.Random) -> Iterator[Garbage]:
    sendkit = target.operation.document is DOCUMENTS.sendkit
    for name in (*target.parameters["header"], *(["X-Api-Key"] if sendkit else [])):
        for value in HEADER_VALUES:
            yield Garbage(f"{name}: {value[:40]!r}", headers=((name, value),))
        yield Garbage(f"{name} twice", headers=((name, b"default"), (name, b"665a1f0c2b3d4e5f6a7b8c01")))
    for value in PREFER if sendkit else []:
        yield Garbage(f"Prefer: {value[:40]!r}", headers=(("Prefer", value),))


# --- sending, and judging the answer ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


async def exchange(app: Any, scope: dict[str, Any], body: bytes) -> Answer:
    """One request through the ASGI app, its body in one message, as uvicorn would deliver it."""
    done, started, chunks = anyio.Event(), {"status": 0, "headers": {}}, []
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            started.update(status=message["status"], headers={k.decode("latin-1").lower(): v.decode("latin-1")
                                                              for k, v in message.get("headers", [])})
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                done.set()

    await app(scope, receive, send)
    done.set()
    return Answer(int(started["status"]), dict(started["headers"]), b"".join(chunks))


class Fuzz:
    """Sends garbage to one mock and says what is wrong with each answer. `problems` undoes a write the mock
    took, so the next case meets the mock as it started (no latency, error rate or moved clock left behind)."""

    def __init__(self, mock: Mock, client: Any) -> None:
        self.mock, self.client = mock, client

    def request(self, target: Target, garbage: Garbage) -> tuple[dict[str, Any], bytes]:
        body = garbage.body if garbage.body is not None else encoded(target.body) if takes_body(target) else b""
        raw_path = garbage.path or target.path
        own = {name.lower() for name, _ in garbage.headers}
        headers = [(b"host", b"127.0.0.1:4010"), (b"x-api-key", WS_KEY.encode()),
                   (b"x-mock-admin-token", TOKEN.encode())]
        if garbage.content_type is not None and (body or takes_body(target)):
            headers.append((b"content-type", garbage.content_type.encode("latin-1")))
        if body or target.operation.method in ("POST", "PUT", "PATCH"):
            headers.append((b"content-length", str(len(body)).encode()))
        headers = [(k, v) for k, v in headers if k.decode() not in own]
        headers += [(name.lower().encode(), value) for name, value in garbage.headers]
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "scheme": "http",
                 "method": target.operation.method, "path": unquote(raw_path), "raw_path": raw_path.encode(),
                 "query_string": garbage.query.encode(), "root_path": "", "headers": headers,
                 "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 4010), "state": {}}
        return scope, body

    def send(self, target: Target, garbage: Garbage) -> tuple[Answer, list[str]]:
        """The answer, and what is wrong with it (with the mock's own traceback line for a 500)."""
        scope, body = self.request(target, garbage)
        try:
            answer = self.client.portal.call(exchange, self.mock.app, scope, body)
        except Exception as exc:  # noqa: BLE001 - out of the app is what uvicorn turns into a bare 500
            return Answer(0, {}, b""), [f"raised out of the app: {type(exc).__name__}: {str(exc)[:200]}"]
        incidents = self.mock.incidents.take()
        found = judged(target.operation, answer)
        if answer.status >= 500 and incidents:  # the mock's own failure: its traceback says more than its body
            found[0] = f"{answer.status}, server: {_where(incidents[-1].traceback)}"
        return answer, found

    def problems(self, target: Target, garbage: Garbage) -> list[str]:
        answer, found = self.send(target, garbage)
        if 200 <= answer.status < 300 and target.operation.method != "GET":
            self.reset()
        return found

    def reset(self) -> None:
        for name in self.mock.sessions.names():
            self.mock.sessions.reset(name)


def _where(trace: str) -> str:
    """The exception and the innermost frame of the mock's own code, from an incident's traceback."""
    lines = trace.strip().splitlines()
    frames = [line.strip() for line in lines if line.strip().startswith('File "') and "sendkit_mock" in line]
    where = frames[-1].split("sendkit_mock/")[-1].replace('", line ', ":").split(",")[0] if frames else "?"
    return f"{lines[-1][:240]} ({where})"


def judged(operation: Operation, answer: Answer) -> list[str]:
    """What breaks the promise: a 5xx; not JSON; an error not in SendKit's shape (the contract's Error schema,
    `code` the status); a status the operation does not document (404 and 405 are any path's)."""
    if not 100 <= answer.status < 500:
        return [f"{answer.status}: {answer.body[:300]!r}"]
    found = []
    if answer.headers.get("content-type", "").split(";")[0].strip() != JSON:
        found.append(f"{answer.status} as {answer.headers.get('content-type')!r}: {answer.body[:120]!r}")
    documented = operation.spec.get("responses", {})
    if answer.status not in (404, 405) and str(answer.status) not in documented and "default" not in documented:
        found.append(f"{answer.status} is not documented for {operation.label}")
    try:
        body = json.loads(answer.body)
    except ValueError:
        return [*found, f"{answer.status} with a body that is not JSON: {answer.body[:120]!r}"]
    if answer.status >= 400:
        found += [f"not SendKit's shape: {e.message[:160]}" for e in jsonschema.Draft4Validator(ERROR).iter_errors(body)]
        if isinstance(body, dict) and body.get("code") != answer.status:
            found.append(f"code {body.get('code')!r} in a {answer.status}")
    return found


def repro(target: Target, garbage: Garbage, fuzz: Fuzz) -> str:
    scope, body = fuzz.request(target, garbage)
    query = f"?{garbage.query[:80]}" if garbage.query else ""
    usual = {b"host", b"x-api-key", b"x-mock-admin-token"} - {name.lower().encode() for name, _ in garbage.headers}
    headers = ", ".join(f"{k.decode()}: {v[:60]!r}" for k, v in scope["headers"] if k not in usual)
    shown = f"{body[:100]!r}" + (f"... ({len(body):,} bytes)" if len(body) > 100 else "")
    return f"{target.operation.method} {scope['raw_path'][:80].decode()}{query} [{headers}] body {shown}"


@pytest.fixture
def fuzz(settings: Settings, clock: ManualClock, caplog: pytest.LogCaptureFixture) -> Iterator[Fuzz]:
    """One mock per kind (the conftest's settings and clock), its webhooks kept off the network. Its error
    log is muted: each failure carries the mock's own traceback line (from its incidents) instead."""
    for logger in ("sendkit_mock", "connexion"):
        caplog.set_level(logging.CRITICAL + 1, logger=logger)
    mock = create_mock(settings.replace(max_body_bytes=LIMIT, admin_token=TOKEN), clock=clock, sender=RecordingSender())
    with mock.app.test_client() as client:
        yield Fuzz(mock, client)


@pytest.mark.parametrize("name", list(KINDS), ids=[name.replace(" ", "-") for name in KINDS])
def test_garbage_gets_sendkits_error_shape_and_never_a_500(fuzz: Fuzz, name: str) -> None:
    sent = cases(name)
    assert sent, f"no operation takes {name}"
    failures = []
    for target, garbage in sent:
        found = fuzz.problems(target, garbage)
        if found:
            failures.append(f"{target.operation.label} ({target.operation.operation_id}) [{name}: {garbage.what}]: "
                            + "; ".join(found) + f"\n    {repro(target, garbage, fuzz)}")
    assert not failures, f"{len(failures)} of {len(sent)} {name} cases:\n" + "\n".join(failures)


def test_every_operation_of_both_documents_is_fuzzed() -> None:
    """The index gives every operation; each one with a body meets every body kind, each with parameters
    every parameter kind."""
    reached: dict[str, set[str]] = {}
    for name in KINDS:
        for target, _ in cases(name):
            reached.setdefault(target.operation.operation_id, set()).add(name)
    for document in DOCUMENTS:
        assert {op.operation_id for op in INDEX.of(document)} <= set(reached), document.title
    for target in TARGETS:
        wanted = {name for name, (applies, _) in KINDS.items() if applies(target)}
        assert reached[target.operation.operation_id] == wanted, target.operation.label


# --- state documents: the entries no schema sees into ------------------------------------------------------------

BY_ID = {target.operation.operation_id: target for target in TARGETS}
ODD_MEMBERS = {"null": b"null", "a lone surrogate": b'"\\ud800"', "[]": b"[]", "{}": b"{}", "true": b"true",
               "-1": b"-1", "0": b"0", "1e400": b"1e400", "2**63": str(2**63).encode(), "1.5": b"1.5", '""': b'""',
               "10 KB": json.dumps("x" * 10_240).encode()}
ODD_INSTANTS = ["0001-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.999999Z", "2026-12-31T23:59:60.000000Z",
                "2026-02-30T00:00:00.000000Z", "1970-01-01T00:00:00.000000+14:00", "2026-04-17", "0001-01-01"]


def exported(fuzz: Fuzz) -> dict[str, Any]:
    """The default session's state with one of everything: a report sent to a recipient on a schedule, and a
    webhook that heard of it (the operations' own examples)."""
    headers = {"X-Api-Key": WS_KEY, "X-Mock-Admin-Token": TOKEN}
    recipient = _example(next(p for p in BY_ID["updateRecipient"].operation.parameters if p["in"] == "path"))
    schedule = {"schedule": {"enabled": True, "frequency": "daily", "timeOfDay": "09:00", "timezone": "UTC"}}
    assert fuzz.client.patch(f"/v1/reports/recipients/{recipient}", json=schedule, headers=headers).status_code == 200
    report = {**BY_ID["createReport"].body, "recipientIds": [recipient]}
    assert fuzz.client.post("/v1/reports", json=report, headers=headers).status_code == 201
    assert fuzz.client.post("/v1/webhooks", json=BY_ID["createWebhook"].body, headers=headers).status_code == 201
    fuzz.mock.advance(10)
    state: dict[str, Any] = fuzz.client.get("/__mock/state", headers=headers).json()["data"]
    assert all(state[kind] for kind in ("reports", "recipients", "webhooks", "outbox", "attempts")), state
    return state


def _members(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every member of a document, containers too; of an array, its first item stands for the others."""
    for key, value in node.items() if isinstance(node, dict) else enumerate(node[:1]):
        yield (*path, key), value
        if isinstance(value, dict | list):
            yield from _members(value, (*path, key))


def state_garbage(document: dict[str, Any]) -> Iterator[Garbage]:
    for path, value in _members(document):
        name = named(path)
        odd = {**ODD_MEMBERS, **({i: json.dumps(i).encode() for i in ODD_INSTANTS}
                                 if isinstance(value, str) and value[:4].isdigit() else {})}
        for what, raw in odd.items():
            yield Garbage(f"{name} = {what}", spliced(document, path, raw))
        if isinstance(path[-1], str):
            left_out = copy.deepcopy(document)
            del _at(left_out, path[:-1])[path[-1]]
            yield Garbage(f"{name} left out", encoded(left_out))


def served_after_import(fuzz: Fuzz) -> list[str]:
    """Every read of the session, a tick, and a new report's create, read and delete, answered as they should."""
    found = [f"then {t.operation.label}: {p}" for t in TARGETS if t.operation.method == "GET"
             for p in fuzz.send(t, Garbage("read back"))[1]]
    try:
        fuzz.mock.tick()
    except Exception as exc:  # noqa: BLE001 - the ticker thread would die of it
        found.append(f"then a tick raised {type(exc).__name__}: {exc}")
    created, problems = fuzz.send(BY_ID["createReport"], Garbage("create"))
    if created.status != 201:
        return [*found, *problems, f"then POST /v1/reports answered {created.status}: {created.body[:200]!r}"]
    for report in json.loads(created.body)["data"]["reports"]:
        path = f"/v1/reports/{report['id']}"
        for target in (BY_ID["getReport"], BY_ID["deleteReport"]):
            answer, problems = fuzz.send(target, Garbage("the new report", path=path))
            if answer.status != 200:
                found.append(f"then {target.operation.method} {path} answered {answer.status}: {answer.body[:160]!r}")
    return found


def test_state_documents_with_garbage_entries_are_refused_or_served(fuzz: Fuzz) -> None:
    """PUT /__mock/state's entries are the mock's internals, opaque to its schema (`items: {type: object}`), so
    the kinds above cannot reach into them. Each member of a real export (its first report, recipient, webhook,
    outbox entry and attempt, its clock and its id counters) replaced by garbage or left out: refused in
    SendKit's shape, or taken and then served (served_after_import)."""
    document = exported(fuzz)
    target = BY_ID["mockReplaceState"]
    failures, sent = [], list(state_garbage(document))
    for garbage in sent:
        answer, found = fuzz.send(target, garbage)
        if 200 <= answer.status < 300:
            found += served_after_import(fuzz)
        fuzz.reset()
        if found:
            failures.append(f"PUT /__mock/state [{garbage.what}]: " + "; ".join(found))
    assert not failures, f"{len(failures)} of {len(sent)} state documents:\n" + "\n".join(failures)
