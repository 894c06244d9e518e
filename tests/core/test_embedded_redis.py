"""The private Redis the bot starts when REDIS_URL is unset (and the tests use): ready means answering."""

import socket
import sys
import textwrap
from pathlib import Path

import pytest

from bot.embedded_redis import EmbeddedRedis, EmbeddedRedisError


def test_once_started_it_answers_at_once():
    with EmbeddedRedis() as server:
        assert server.socket is not None
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(str(server.socket))
            client.sendall(b"PING\r\n")
            assert client.recv(16).startswith(b"+PONG")


def test_a_socket_file_that_refuses_connections_is_not_ready(tmp_path: Path):
    # What redis-server looks like between binding its socket and listening on it: the file is there, a client
    # is refused. Start-up must wait (here, until its deadline) rather than hand out a URL that refuses.
    fake = tmp_path / "redis-server"
    fake.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import socket, sys, time
            path = sys.argv[sys.argv.index("--unixsocket") + 1]
            bound = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            bound.bind(path)  # never listens
            time.sleep(30)
            """
        )
    )
    fake.chmod(0o755)
    server = EmbeddedRedis(binary=str(fake), start_timeout=0.5)
    with pytest.raises(EmbeddedRedisError, match="did not start within 0.5 seconds"):
        server.start()
    assert server.socket is None  # stopped, its folder removed
