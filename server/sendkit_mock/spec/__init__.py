"""Reading an OpenAPI document: what every part of the mock that reads the contract shares."""

from .refs import deref, resolved

__all__ = ["deref", "resolved"]
