"""JSON values shared by every answer that shows them (a report's content, a finished report's form): read-only
dicts and lists, still a dict and a list to every encoder, so a change raises instead of altering later answers."""

from __future__ import annotations

import copy
from typing import Any


def frozen(value: Any) -> Any:
    """The same JSON value, its dicts and lists read-only (still a dict and a list to every encoder)."""
    if isinstance(value, dict):
        return ReadOnlyDict({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return ReadOnlyList(frozen(v) for v in value)
    return value


def _refuse(self: object, *args: object, **kwargs: object) -> Any:
    raise TypeError("this value is shared by every answer that shows it: copy.deepcopy() it to change it")


class ReadOnlyDict(dict[str, Any]):
    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:  # a copy is a plain dict, to change at will
        return {k: copy.deepcopy(v, memo) for k, v in self.items()}

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))


class ReadOnlyList(list[Any]):
    __setitem__ = __delitem__ = __iadd__ = __imul__ = append = extend = insert = pop = remove = clear = sort = \
        reverse = _refuse

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return [copy.deepcopy(v, memo) for v in self]

    def __copy__(self) -> list[Any]:
        return list(self)

    def __reduce__(self) -> Any:
        return (list, (list(self),))
