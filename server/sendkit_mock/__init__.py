"""sendkit-mock: an offline, stateful, OpenAPI-first mock of the SendKit Reports API."""

from .app import Mock, create_app, create_mock
from .clock import Clock, ManualClock, SystemClock
from .settings import Settings

__all__ = ["Clock", "ManualClock", "Mock", "Settings", "SystemClock", "create_app", "create_mock"]
