"""The pure core and the handlers import no web framework, so the app class stays a one-line choice."""

import ast
import re
from pathlib import Path

import pytest

import sendkit_mock

PACKAGE = Path(sendkit_mock.__file__).parent
FRAMEWORKS = ("flask", "connexion", "starlette", "werkzeug", "uvicorn", "requests", "httpx")
PURE = sorted(p for folder in ("domain", "api", "simulation", "spec", "stores", "session", "delivery")
              for p in (PACKAGE / folder).rglob("*.py")) + [
    PACKAGE / "errors.py", PACKAGE / "clock.py", PACKAGE / "settings.py", PACKAGE / "resources.py",
    PACKAGE / "runtime" / "incidents.py", PACKAGE / "proxy" / "contract.py",
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


# Every folder of the package, and what its modules may import besides their own folder. The root holds the
# basics (errors, clock, settings, resources, credentials), the composition root (app.py) and the command line (cli.py).
LAYERS = {
    "spec": {"errors"},  # reading the OpenAPI documents: nothing of the mock above the error type
    "domain": {"errors", "clock"},
    "simulation": {"errors", "rates", "spec"},
    "delivery": {"domain", "errors", "clock"},
    "stores": {"clock", "domain", "errors", "simulation"},  # the domain's store interfaces, in memory and on Redis
    # and the contract, a state import's records held to it (snapshot.py)
    "session": {"clock", "credentials", "delivery", "domain", "errors", "resources", "settings", "simulation", "spec",
                "stores"},
    "api": {"clock", "domain", "errors", "session", "simulation"},  # thin handlers: no web, no app
    # the framework's layer: everything below the composition root, and of the runtime only the connections
    # (a fault resets a socket) and the incidents (the mock's own failures, kept by the error handlers)
    "web": {"api", "clock", "domain", "errors", "runtime", "session", "settings", "simulation", "spec", "stores"},
    # serving the process: the ticker thread, workers, serve --watch (a new mock through the composition root), TLS
    "runtime": {"app", "clock", "credentials", "delivery", "errors", "settings"},
    # other people's test suites: a client of the control plane, the plugin over the composition root (and
    # the certificate a TLS listener serves)
    "testing": {"app", "delivery", "domain", "resources", "runtime", "session", "settings", "simulation", "spec"},
    "contract": {"rates", "resources", "spec"},  # Schemathesis over the bundled contract: nothing of the server
    "proxy": {"clock", "domain", "errors", "session", "spec", "stores"},  # no connexion, no sessions
}
NARROW = {  # where a folder may reach into another only for some of its modules
    ("web", "runtime"): {"runtime.connections", "runtime.incidents"},
    ("testing", "runtime"): {"runtime.incidents", "runtime.limits", "runtime.tls"},
    ("testing", "session"): {"session.coverage"},  # the run's API coverage, computed as the control plane does
    ("testing", "simulation"): {"simulation.answers"},
    ("proxy", "session"): {"session.journal"},
    ("contract", "spec"): {"spec.refs"},  # a rule's schema found through its $refs, as every reader does
    ("proxy", "stores"): {"stores.memory"},
    ("session", "stores"): {"stores", "stores.records"},  # a state document's records as JSON
}
ROOT_MODULES = {"__init__", "__main__", "app", "cli", "clock", "credentials", "errors", "rates", "resources",
                "settings"}

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
def test_each_folder_imports_only_what_its_fence_allows(layer: str) -> None:
    """The domain owns its store interfaces (domain/stores.py) and imports no store, web or session code;
    handlers reach the domain through the sessions, never the web layer or the app."""
    for path in (PACKAGE / layer).rglob("*.py"):
        for module in _package_imports(path):
            top = module.split(".")[0]
            assert top == layer or top in LAYERS[layer], f"{path.relative_to(PACKAGE)} imports {module}"
            narrow = NARROW.get((layer, top))
            assert narrow is None or module in narrow, f"{path.relative_to(PACKAGE)} imports {module}"


def test_the_package_root_holds_the_basics_the_composition_root_and_the_command_line() -> None:
    """Every other module lives in a folder named for its kind, and every folder is fenced above."""
    assert {p.stem for p in PACKAGE.glob("*.py")} == ROOT_MODULES
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders == set(LAYERS)


def test_the_basics_import_only_each_other() -> None:
    basics = {"errors": set(), "clock": set(), "resources": set(), "settings": {"domain", "resources", "simulation"}}
    for module, allowed in basics.items():
        for imported_module in _package_imports(PACKAGE / f"{module}.py"):
            assert imported_module.split(".")[0] in allowed, f"{module}.py imports {imported_module}"
