"""The stores behind domain/stores.py's interfaces: in this process (memory.py, the default) or in a Redis that
several workers share (redis.py); records.py writes each record as JSON for both, and for state files."""
