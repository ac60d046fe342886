"""The supervisor's listening socket (serve --workers N)."""

import socket

from sendkit_mock.runtime.workers import bind


def test_the_shared_socket_says_it_is_tcp_so_answers_go_out_without_a_delayed_ack() -> None:
    """asyncio turns on TCP_NODELAY only for sockets whose protocol is IPPROTO_TCP; with proto 0 every answer on
    a kept-alive connection waited ~40 ms (bench/workers.py: 180 req/s on 2 workers instead of 1,000+)."""
    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP and sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
        assert sock.get_inheritable()
    finally:
        sock.close()
