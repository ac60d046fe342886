"""SendKit's list envelope: `{success, data, pagination}` [C]."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..domain.stores import Page, Record

T = TypeVar("T", bound=Record)
Json = dict[str, Any]


def cursor_page(page: Page[T], limit: int, render: Callable[[T], Json], ident: Callable[[T], str]) -> Json:
    """Cursor pagination as SendKit's recipients list: nextCursor is the id of the page's last item."""
    return {
        "success": True,
        "data": [render(item) for item in page.items],
        "pagination": {
            "limit": limit,
            "total": page.total,
            "hasMore": page.has_more,
            "nextCursor": ident(page.items[-1]) if page.items else None,
        },
    }
