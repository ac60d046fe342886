"""`sendkit-mock proxy`: real traffic to a real server, checked against openapi.yaml on the way (prism proxy)."""

from .app import ValidatingProxy
from .contract import ContractCheck

__all__ = ["ContractCheck", "ValidatingProxy"]
