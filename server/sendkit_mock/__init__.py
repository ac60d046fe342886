"""sendkit-mock: an offline, stateful, OpenAPI-first mock of the SendKit Reports API."""

from importlib import metadata
from typing import TYPE_CHECKING, Any

from .clock import Clock, ManualClock, SystemClock
from .settings import Settings

if TYPE_CHECKING:
    from .app import Mock, create_app, create_mock

try:
    __version__ = metadata.version("sendkit-mock")
except metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["Clock", "ManualClock", "Mock", "Settings", "SystemClock", "create_app", "create_mock"]
_FROM_APP = ("Mock", "create_app", "create_mock")


def __getattr__(name: str) -> Any:
    """The app and its framework are imported on first use: `sendkit-mock --help` or `contract` needs neither."""
    if name in _FROM_APP:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module 'sendkit_mock' has no attribute {name!r}")
