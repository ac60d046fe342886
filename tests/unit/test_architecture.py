"""The pure core and the handlers import no web framework, so the app class stays a one-line choice."""

import ast
from pathlib import Path

import pytest

import sendkit_mock

PACKAGE = Path(sendkit_mock.__file__).parent
FRAMEWORKS = ("flask", "connexion", "starlette", "werkzeug", "uvicorn", "requests", "httpx")
PURE = sorted(p for folder in ("domain", "api") for p in (PACKAGE / folder).rglob("*.py")) + [
    PACKAGE / "errors.py", PACKAGE / "store.py", PACKAGE / "clock.py", PACKAGE / "settings.py",
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
