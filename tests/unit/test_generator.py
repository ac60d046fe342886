"""Generated bodies (`Prefer: dynamic=true`) leave the process's own random numbers alone, and repeat for
the same seed. These tests also fail when jsf or rstr move the private names generator.py rewires."""

from __future__ import annotations

import random

import rstr

from sendkit_mock.simulation import generator

SCHEMA = {"type": "object", "required": ["id", "code", "when", "tags", "flag"], "properties": {
    "id": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
    "code": {"type": "integer", "minimum": 1, "maximum": 999},
    "when": {"type": "string", "format": "date-time"},
    "tags": {"type": "array", "minItems": 1, "maxItems": 4, "items": {"enum": ["a", "b", "c"]}},
    "flag": {"type": "boolean"}}}


def test_generating_draws_nothing_from_the_global_random() -> None:
    random.seed(1234)
    expected = [random.random() for _ in range(3)]
    random.seed(1234)
    got = [random.random()]
    generator.generate(SCHEMA, 7)
    got += [random.random(), random.random()]
    assert got == expected


def test_the_same_seed_gives_the_same_body_and_another_seed_another() -> None:
    first, again, other = (generator.generate(SCHEMA, seed) for seed in (7, 7, 8))
    assert first == again
    assert first != other
    assert len(first["id"]) == 24 and set(first["id"]) <= set("0123456789abcdef")


def test_every_jsf_module_draws_from_the_private_generator() -> None:
    """jsf's modules name `random` and `rstr` at module level (jsf 0.11); a release that draws through another
    name, or an rstr whose default instance is no longer the `random` module, fails here."""
    generator.generate(SCHEMA, 1)
    modules = generator.jsf_modules()
    assert len(modules) >= 10
    for module in modules:
        assert vars(module).get("random", generator._DRAWS) is generator._DRAWS, module.__name__
        assert isinstance(vars(module).get("rstr", rstr.Rstr(generator._DRAWS)), rstr.Rstr), module.__name__
    assert rstr._default_instance._random is random  # what made rewiring necessary
