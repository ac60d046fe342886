"""jsf (what `connexion[mock]` uses to make a body from a schema) on generators of its own.

jsf draws from Python's process-wide `random` module, and its patterns from rstr's default instance, which
is that same module. Seeding either reseeds the random numbers of whoever runs the mock in-process: the
pytest plugin serves from a thread of the user's own test run, so a sequence a user's test seeded would
change after any `Prefer: dynamic=true` answer. Here every jsf module's `random` and `rstr` names point at
one private `random.Random` (and an `rstr.Rstr` over it), and jsf's two Fakers are seeded per instance.

These are private seams of jsf 0.11 and rstr 3: `tests/unit/test_generator.py` fails when either moves (a
jsf module that draws from something else, rstr's default instance no longer holding `random` itself).
"""

from __future__ import annotations

import functools
import random
import sys
import threading
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

# jsf makes a date-time with `faker.date_time()`, whose range ends at the wall clock's now: the same seed gave
# another instant a second later. Fixed bounds keep a generated body the same whenever it is asked for.
_EARLIEST, _LATEST = datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 12, 31, tzinfo=UTC)
_DRAWS = random.Random()  # the one source of every jsf draw; never the module-level `random`
_LOCK = threading.Lock()  # jsf's state (this Random, its Fakers) is shared by every thread of the process
REPEAT_LIMIT = 8  # a pattern's `*`, `+` and `{n,m}` repeat at most this often (rstr's own limit: 100)


def jsf_modules() -> list[ModuleType]:
    """The loaded jsf modules that draw through a module-level `random` or `rstr` name."""
    return [module for name, module in sorted(sys.modules.items())
            if (name == "jsf" or name.startswith("jsf.")) and module is not None
            and ("random" in vars(module) or "rstr" in vars(module))]


@functools.cache
def _jsf() -> Any:
    """jsf, imported on the first generated body (it brings Faker's providers, pydantic and smart_open: 40 MiB
    and half a second at start-up that only `Prefer: dynamic=true` needs), rewired to `_DRAWS`."""
    import jsf.parser  # type: ignore[import-untyped]
    import jsf.schema_types.string  # type: ignore[import-untyped]
    import rstr

    class Patterns(rstr.Rstr):
        """A string for a pattern that also fits the schema's `maxLength`: with rstr's 100 repeats an e-mail's
        dot-atoms ran past 254 characters and the body was refused, attempt after attempt."""

        def _handle_repeat(self, start_range: int, end_range: int, value: str) -> str:
            return super()._handle_repeat(start_range, min(end_range, max(start_range, REPEAT_LIMIT)), value)

    patterns = Patterns(_DRAWS)
    for module in jsf_modules():
        if vars(module).get("random") is random:
            module.random = _DRAWS  # type: ignore[attr-defined]
        if vars(module).get("rstr") is rstr:
            module.rstr = patterns  # type: ignore[attr-defined]
    faker = jsf.schema_types.string.faker

    def instant() -> datetime:
        return faker.date_time_between(_EARLIEST, _LATEST, tzinfo=UTC)  # type: ignore[no-any-return]

    jsf.schema_types.string.format_map.update({
        "date-time": lambda: instant().isoformat(),
        "time": lambda: instant().isoformat().split("T")[1],
        "date": lambda: instant().isoformat().split("T")[0],
    })
    return jsf


def generate(schema: Any, seed: int) -> Any:
    """A body for `schema` drawn from `seed` alone; raises what jsf raises on a construct it cannot build."""
    jsf = _jsf()
    with _LOCK:
        _DRAWS.seed(seed)
        jsf.parser.faker.seed_instance(seed)
        jsf.schema_types.string.faker.seed_instance(seed)  # formats (date-time) have their own Faker
        return jsf.JSF(schema).generate()
