"""sendkit-mock inside other people's test suites: a server in a thread, a handle on its control plane, a
webhook receiver, and the pytest plugin (`sendkit_mock`, `sendkit_mock_app`) built from them."""

from .handle import ContractBroken, MockHandle, MockRequestError, NotRequested
from .receiver import ReceivedCall, Receiver
from .threaded import ThreadedServer

__all__ = ["ContractBroken", "MockHandle", "MockRequestError", "NotRequested", "ReceivedCall", "Receiver",
           "ThreadedServer"]
