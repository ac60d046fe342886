"""One session: its services over its clock and its stores (sessions.py), its journal, and its state as one
document (snapshot.py)."""
