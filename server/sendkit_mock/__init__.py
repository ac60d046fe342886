"""sendkit-mock: an offline, stateful, OpenAPI-first mock of the SendKit Reports API."""

from typing import TYPE_CHECKING, Any

from .clock import Clock, ManualClock, SystemClock
from .settings import Settings

if TYPE_CHECKING:
    from .app import Mock, create_app, create_mock

__all__ = ["Clock", "ManualClock", "Mock", "Settings", "SystemClock", "create_app", "create_mock"]
_FROM_APP = ("Mock", "create_app", "create_mock")


def __getattr__(name: str) -> Any:
    """The app and its framework are imported on first use: `sendkit-mock --help` or `contract` needs neither."""
    if name in _FROM_APP:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module 'sendkit_mock' has no attribute {name!r}")
