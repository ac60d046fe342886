"""Serving the process: the ticker thread, worker processes, serve --watch, TLS, the open connections, the
access log, and the mock's own failures."""
