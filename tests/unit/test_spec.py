"""openapi.yaml is valid, and says where it goes beyond SendKit's public pages."""

from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from sendkit_mock.resources import spec_path

SPEC: dict[str, Any] = yaml.safe_load(spec_path().read_text())
METHODS = ("get", "post", "put", "patch", "delete")
OPERATIONS = [(path, m, op) for path, item in SPEC["paths"].items() for m, op in item.items() if m in METHODS]
CONFIRMED = {  # on SendKit's public pages
    ("/v1/reports", "post"),
    ("/v1/reports/recipients", "post"),
    ("/v1/reports/recipients", "get"),
    ("/v1/webhooks", "post"),
    ("/v1/webhooks", "get"),
    ("/v1/webhooks/{id}", "patch"),
    ("/v1/webhooks/{id}/test", "post"),
}


def test_the_spec_is_valid_openapi_3_0() -> None:
    assert SPEC["openapi"] == "3.0.3"
    validate(SPEC)


def test_every_inferred_operation_is_marked_with_a_reason_and_says_so() -> None:
    for path, method, op in OPERATIONS:
        if (path, method) in CONFIRMED:
            continue
        if path.startswith("/__mock/"):
            assert op.get("x-mock-only") is True and "**Mock-only.**" in op["description"], (method, path)
            continue
        assert op.get("x-sendkit-inferred") is True, (method, path)
        assert op.get("x-sendkit-inferred-reason"), (method, path)
        assert "**Inferred**" in op["description"], (method, path)


def test_every_operation_documents_its_errors_with_the_error_schema() -> None:
    for path, method, op in OPERATIONS:
        statuses = set(op["responses"])
        keyed = op.get("security", SPEC["security"]) != []  # the control plane's session calls need no key
        assert {"400", "405", "500"} | ({"401"} if keyed else set()) <= statuses, (method, path)
        for status in statuses - {"200", "201", "204"}:
            ref = op["responses"][status]["$ref"].split("/")[-1]
            response = SPEC["components"]["responses"][ref]
            media = response["content"]["application/json"]
            assert media["schema"] == {"$ref": "#/components/schemas/Error"}
            for example in _examples(media):
                assert example["code"] == int(status), (method, path, status)


REGISTRY = Registry().with_resource("urn:spec", Resource.from_contents(SPEC, default_specification=DRAFT4))


def _responses() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path, method, op in OPERATIONS:
        for status, response in op["responses"].items():
            if "$ref" in response:
                response = SPEC["components"]["responses"][response["$ref"].split("/")[-1]]
            out.append((f"{method.upper()} {path} {status}", status, response["content"]["application/json"]))
    return out


@pytest.mark.parametrize(("where", "status", "content"), _responses(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_response_has_an_example_that_its_schema_accepts(where: str, status: str, content: dict[str, Any]) -> None:
    assert ("example" in content) != ("examples" in content), where  # one or the other, as OpenAPI 3.0 says
    schema = {"$ref": "urn:spec" + content["schema"]["$ref"]}
    for example in _examples(content):
        errors = list(OAS30Validator(schema, registry=REGISTRY).iter_errors(example))
        assert errors == [], [e.message for e in errors]


def _examples(media: dict[str, Any]) -> list[Any]:
    """A media type's example, or each of its named examples (each with a summary)."""
    if "examples" in media:
        assert all(e.get("summary") for e in media["examples"].values())
        return [e["value"] for e in media["examples"].values()]
    return [media["example"]]


# --- the file as every tool reads it --------------------------------------------------------------------

def _events() -> list[Any]:
    return list(yaml.parse(spec_path().read_text()))


def test_the_file_reads_the_same_in_a_yaml_1_2_parser() -> None:
    """PyYAML reads YAML 1.1; ruamel.yaml reads 1.2. Merge keys, `yes`/`no` booleans, octals, sexagesimals
    and unquoted dates would read differently (Prism took `<<` for a property), so none may appear."""
    from ruamel.yaml import YAML

    strict = YAML(typ="safe", pure=True)
    strict.version = (1, 2)
    assert strict.load(spec_path().read_text()) == SPEC


def test_the_file_has_no_anchors_aliases_merge_keys_or_tags() -> None:
    events = _events()
    assert not [e for e in events if isinstance(e, yaml.AliasEvent)]
    assert not [e.anchor for e in events if getattr(e, "anchor", None)]
    assert not [e.tag for e in events if getattr(e, "tag", None) and not e.tag.startswith("tag:yaml.org,2002:")]
    assert not [e for e in events if isinstance(e, yaml.ScalarEvent) and e.value == "<<" and e.plain]


def test_every_value_is_json() -> None:
    """An unquoted 2026-01-01 is a date to YAML 1.1 loaders and a string to JSON tools: quote it."""
    import json

    assert json.loads(json.dumps(SPEC)) == SPEC  # raises on a date, a set or a non-string key


def _schema(ref: str) -> dict[str, Any]:
    return SPEC["components"]["schemas"][ref.rsplit("/", 1)[-1]]  # type: ignore[no-any-return]


def _reachable(schema: Any, seen: set[str]) -> list[dict[str, Any]]:
    """`schema` and every schema it references, each once."""
    if isinstance(schema, list):
        return [s for item in schema for s in _reachable(item, seen)]
    if not isinstance(schema, dict):
        return []
    found = [schema]
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return []
        seen.add(schema["$ref"])
        found += _reachable(_schema(schema["$ref"]), seen)
    for key, value in schema.items():
        if key not in ("example", "enum", "default"):
            found += _reachable(value, seen)
    return found


def _request_schemas(methods: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{m.upper()} {path}", op["requestBody"]["content"]["application/json"]["schema"])
            for path, m, op in OPERATIONS if m in methods and "requestBody" in op]


@pytest.mark.parametrize(("where", "schema"), _request_schemas(("post", "patch", "put")), ids=lambda v: v if isinstance(v, str) else "")
def test_no_request_schema_carries_a_default(where: str, schema: dict[str, Any]) -> None:
    """Generated clients send a schema's defaults on every call (a PATCH of one field reset the rest), and
    openapi-typescript makes a property with a default required: the server applies and describes them."""
    assert [s for s in _reachable(schema, set()) if "default" in s] == []


def test_no_parameter_carries_a_default() -> None:
    params = [p for _, _, op in OPERATIONS for p in op.get("parameters", [])] + list(SPEC["components"]["parameters"].values())
    assert [p for p in params if "default" in p.get("schema", {})] == []


@pytest.mark.parametrize(("create", "update", "extra"), [
    ("CreateRecipientRequest", "UpdateRecipientRequest", {"active"}),
    ("CreateWebhookRequest", "UpdateWebhookRequest", {"status"}),
    ("ReportFields", "Report", {"data"}),
])
def test_sibling_schemas_agree_field_by_field(create: str, update: str, extra: set[str]) -> None:
    """Written out in full (no merge keys), so a test keeps them from drifting apart."""
    def bare(props: dict[str, Any]) -> dict[str, Any]:
        return {name: {k: v for k, v in schema.items() if k != "description"} for name, schema in props.items()}

    first, second = _schema(create)["properties"], _schema(update)["properties"]
    assert set(second) - set(first) == extra
    assert bare(first) == bare({k: v for k, v in second.items() if k not in extra})
    assert "required" not in _schema(update) or update == "Report"


def _parameters() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path, method, op in OPERATIONS:
        for param in [*SPEC["paths"][path].get("parameters", []), *op.get("parameters", [])]:
            if "$ref" in param:
                param = SPEC["components"]["parameters"][param["$ref"].rsplit("/", 1)[-1]]
            out.append((f"{method.upper()} {path} {param['name']}", param))
    return out


@pytest.mark.parametrize(("where", "param"), _parameters(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_parameter_is_described_and_its_example_fits_it(where: str, param: dict[str, Any]) -> None:
    assert param.get("description"), where
    schema = param["schema"]
    if "$ref" in schema:
        schema = _schema(schema["$ref"])
    if param["name"] == "cursor":  # Swagger UI would send an example as the cursor of a first page
        assert "example" not in param and "example" not in schema
    example = param.get("example", schema.get("example"))
    if example is not None:
        assert list(OAS30Validator(schema, registry=REGISTRY).iter_errors(example)) == []


@pytest.mark.parametrize(("where", "schema"), _request_schemas(("post", "patch", "put")), ids=lambda v: v if isinstance(v, str) else "")
def test_every_request_example_fits_its_schema(where: str, schema: dict[str, Any]) -> None:
    path, method = where.split(" ")[1], where.split(" ")[0].lower()
    example = SPEC["paths"][path][method]["requestBody"]["content"]["application/json"]["example"]
    errors = list(OAS30Validator({"$ref": "urn:spec" + schema["$ref"]}, registry=REGISTRY).iter_errors(example))
    assert errors == [], [e.message for e in errors]


def test_the_time_zone_enum_is_the_shipped_tz_database() -> None:
    from sendkit_mock.domain.schedule import TZDATA_VERSION, ZONE_NAMES

    zone_schema = _schema("TimeZone")
    assert set(zone_schema["enum"]) == ZONE_NAMES
    assert TZDATA_VERSION in zone_schema["description"]


def test_the_email_rule_is_the_domain_rule_to_the_letter() -> None:
    from sendkit_mock.domain.recipients import EMAIL

    email = _schema("Email")
    assert email["pattern"] == EMAIL.pattern and "format" not in email


@pytest.mark.parametrize(("field", "where", "schema"), [
    ("email", ("CreateRecipientRequest", "UpdateRecipientRequest", "Recipient"), "Email"),
    ("name", ("CreateRecipientRequest", "UpdateRecipientRequest", "Recipient"), "RecipientName"),
    ("timeOfDay", ("ScheduleInput", "Schedule"), "TimeOfDay"),
    ("timezone", ("ScheduleInput", "Schedule"), "TimeZone"),
])
def test_a_field_carries_one_schema_in_requests_and_answers(field: str, where: tuple[str, ...], schema: str) -> None:
    """What a request must satisfy, an answer is held to as well: the proxy and a generated client catch a
    deployment that answers a malformed e-mail or time, and `Prefer: dynamic=true` cannot make one up."""
    for name in where:
        found = _schema(name)["properties"][field]
        assert found.get("$ref", found.get("allOf", [{}])[0].get("$ref")) == f"#/components/schemas/{schema}", name


def test_answered_period_bounds_are_dates_or_instants() -> None:
    for name in ("Report", "ReportFields"):
        for bound in ("periodStart", "periodEnd"):
            assert _schema(name)["properties"][bound] == {"$ref": "#/components/schemas/PeriodBound"}
    assert [s["format"] for s in _schema("PeriodBound")["anyOf"]] == ["date", "date-time"]
