"""The pure core and the handlers import no web framework, so the app class stays a one-line choice."""

import ast
import re
from pathlib import Path

import pytest

import sendkit_mock

PACKAGE = Path(sendkit_mock.__file__).parent
FRAMEWORKS = ("flask", "connexion", "starlette", "werkzeug", "uvicorn", "requests", "httpx")
PURE = sorted(p for folder in ("domain", "api", "simulation", "spec") for p in (PACKAGE / folder).rglob("*.py")) + [
    PACKAGE / "errors.py", PACKAGE / "store.py", PACKAGE / "redis_store.py", PACKAGE / "records.py",
    PACKAGE / "clock.py", PACKAGE / "settings.py",
    PACKAGE / "violations.py", PACKAGE / "incidents.py", PACKAGE / "proxy" / "contract.py",
]


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_modules_import_no_framework(path: Path) -> None:
    assert not imported(path) & set(FRAMEWORKS)


def test_no_global_faker_seed_or_wall_clock_outside_the_clock_module() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        assert "Faker.seed(" not in text, path
        if path.name != "clock.py":
            assert "datetime.now(" not in text and "time.time(" not in text, path


# Python's process-wide generator belongs to whoever runs the mock (the plugin serves inside the user's test
# run): nothing seeds it or draws from it. `random.Random(...)` instances of our own are the only way in.
GLOBAL_RANDOM = re.compile(r"\brandom\.(seed|setstate|random|randint|randrange|randbytes|getrandbits|choice|"
                           r"choices|sample|shuffle|uniform|gauss|normalvariate|triangular|betavariate|expovariate|"
                           r"binomialvariate)\(|\b_default_instance\b|\bnumpy\.random\.seed\(")


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_seeds_or_draws_from_the_global_random(path: Path) -> None:
    found = [line.strip() for line in path.read_text().splitlines() if GLOBAL_RANDOM.search(line)]
    assert not found, f"{path.relative_to(PACKAGE)}: {found}"


def test_the_global_random_check_catches_what_it_bans() -> None:
    assert GLOBAL_RANDOM.search("random.seed(base + attempt)")
    assert GLOBAL_RANDOM.search("x = random.choice(items)")
    assert GLOBAL_RANDOM.search("rstr._default_instance._random.seed(1)")
    assert not GLOBAL_RANDOM.search("rng = random.Random(seed); rng.choice(items)")


def _package_imports(path: Path) -> set[str]:
    """The sendkit_mock modules a file imports, as dotted names below the package."""
    here = path.relative_to(PACKAGE).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = here[: len(here) - node.level + 1]
            modules = [node.module] if node.module else [alias.name for alias in node.names]
            found |= {".".join([*base, *m.split(".")]).strip(".") for m in modules}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sendkit_mock."):
            found.add(node.module.removeprefix("sendkit_mock."))  # type: ignore[union-attr]
    return found


LAYERS = {  # a module under the key may import from these, and from its own folder
    "domain": {"errors", "clock"},
    "api": {"domain", "errors", "clock", "sessions", "journal", "snapshot", "simulation"},
    "delivery": {"domain", "errors", "clock"},
    "simulation": {"errors", "spec"},
    "spec": set(),  # reading an OpenAPI document: nothing of the mock
    # other people's test suites: a client of the control plane, the plugin over the composition root (and
    # the certificate a TLS listener serves)
    "testing": {"app", "delivery", "domain", "incidents", "settings", "spec", "tls"},
    "contract": {"resources"},  # Schemathesis over the bundled contract: nothing of the server
    "proxy": {"clock", "domain", "errors", "journal", "spec", "store", "violations"},  # no connexion, no sessions
}
MODULES = {  # single modules above the domain: what each may import from the package
    "store": {"clock", "domain", "simulation"},
    "records": {"clock", "domain"},  # records as JSON: for state files and the shared store alike
    "redis_store": {"clock", "domain", "errors", "memo", "records"},  # the shared store: the same interfaces
    "journal": {"domain", "errors"},
    "sessions": {"background", "clock", "delivery", "domain", "journal", "settings", "simulation"},
    "snapshot": {"clock", "domain", "errors", "records", "sessions"},
    "reloading": {"app"},  # serve --watch: builds mocks through the composition root, nothing below it
    "tls": {"clock", "settings"},  # serve --tls: certificates, from the local CA or the user's own
}


def test_the_test_handle_is_a_plain_http_client() -> None:
    """The handle on a mock's control plane works from any process: the standard library's HTTP, nothing of
    the server's framework (the plugin imports the app only when a fixture is asked for)."""
    assert not imported(PACKAGE / "testing" / "handle.py") & set(FRAMEWORKS)
    assert {"app", "delivery.executors"} <= _lazy_imports(PACKAGE / "testing" / "plugin.py")


def _lazy_imports(path: Path) -> set[str]:
    """Package modules imported inside functions (the top-level ones are `_package_imports`)."""
    tree = ast.parse(path.read_text())
    found = set()
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.level > 0 and node.module:
                found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_imports_only_the_layers_below_it(layer: str) -> None:
    """The domain owns its store interfaces (domain/stores.py) and imports no store, web or session code;
    handlers reach the domain through the sessions, never the web layer or the app."""
    for path in (PACKAGE / layer).rglob("*.py"):
        for module in _package_imports(path):
            top = module.split(".")[0]
            assert top == layer or top in LAYERS[layer], f"{path.relative_to(PACKAGE)} imports {module}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_sessions_reach_state_only_through_the_store_interfaces(module: str) -> None:
    """A session is built over whatever stores it is given (the in-memory ones are the app's choice), so a
    shared store can stand in without a change above it; the store implements the domain's interfaces."""
    for imported_module in _package_imports(PACKAGE / f"{module}.py"):
        top = imported_module.split(".")[0]
        assert top in MODULES[module], f"{module}.py imports {imported_module}"
