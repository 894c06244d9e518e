"""A private, non-persistent `redis-server` for when `REDIS_URL` is unset.

It listens only on a unix socket in a fresh temporary folder (no TCP port), saves nothing to disk, and is
stopped, by its own process id, when the bot exits.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

INSTALL_HINT = (
    "redis-server was not found. Install it (Debian/Ubuntu: sudo apt-get install redis-server) "
    "or set REDIS_URL to a running Redis."
)


class EmbeddedRedisError(RuntimeError):
    """The private Redis could not be started; the message is one line for the operator."""


class EmbeddedRedis:
    def __init__(self, binary: str | None = None, start_timeout: float = 10.0) -> None:
        self._binary = binary or shutil.which("redis-server")
        self._timeout = start_timeout
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.socket: Path | None = None

    @property
    def url(self) -> str:
        if self.socket is None:
            raise EmbeddedRedisError("the embedded Redis is not running")
        return f"unix://{self.socket}"

    def start(self) -> str:
        if self._binary is None:
            raise EmbeddedRedisError(INSTALL_HINT)
        self._folder = tempfile.TemporaryDirectory(prefix="hearth-redis-")
        self.socket = Path(self._folder.name) / "redis.sock"
        args = [
            self._binary,
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--save", "",
            "--appendonly", "no",
            "--dir", self._folder.name,
            "--loglevel", "warning",
            "--logfile", "",
        ]  # fmt: skip
        self._process = subprocess.Popen(  # noqa: S603 - a fixed binary and fixed arguments
            args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + self._timeout
        # The socket file appears when redis binds it, a moment before it listens: a client connecting in between
        # is refused. Ready is when it answers PING.
        while not _answers_ping(self.socket):
            if self._process.poll() is not None:
                error = (self._process.stderr.read() if self._process.stderr else b"").decode(errors="replace")
                self.stop()
                raise EmbeddedRedisError(f"redis-server exited at start: {error.strip()[:200]}")
            if time.monotonic() > deadline:
                self.stop()
                raise EmbeddedRedisError(f"redis-server did not start within {self._timeout:g} seconds")
            time.sleep(0.01)
        return self.url

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None and self._process.stderr is not None:
            self._process.stderr.close()
        self._process = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
        self.socket = None

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def _answers_ping(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(1.0)
            client.connect(str(path))
            client.sendall(b"PING\r\n")
            return client.recv(16).startswith(b"+PONG")
    except OSError:
        return False
