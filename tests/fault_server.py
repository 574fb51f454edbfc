"""A fault server for tests: a real HTTP server on 127.0.0.1 that misbehaves on purpose.

Each path plays one fault: a reply (any status, headers, body, delay), a connection reset, a body
cut short of its Content-Length, a hang past the client's timeout, a redirect (loops included), a
gzip bomb. `routes` maps a path to one `Fault` or a list served in turn (the last one repeats); a
route with a `?` must match the query too. Every request is logged (path, time, headers), so a
test can assert that a path was never asked for. It only ever listens on loopback.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

HTML = {"Content-Type": "text/html; charset=utf-8"}
JSON = {"Content-Type": "application/json"}
TEXT = {"Content-Type": "text/plain"}


@dataclass
class Fault:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    # reset: close the connection without an answer; truncate: promise the body's length + 1000
    # bytes and close after the body; hang: accept and say nothing for `delay` seconds.
    action: str = "reply"
    content_length: bool = True


def reply(status: int = 200, body: bytes | str = b"", headers: dict | None = None, **kw) -> Fault:
    data = body.encode() if isinstance(body, str) else body
    return Fault(status, dict(HTML if headers is None else headers), data, **kw)


def redirect(location: str, status: int = 302) -> Fault:
    return Fault(status, {"Location": location, "Content-Type": "text/plain"}, b"moved")


def gzip_bomb(inflated_mb: int) -> Fault:
    """A small gzip body that inflates to `inflated_mb` MB of zeros."""
    raw = gzip.compress(b"\0" * (inflated_mb * 1024 * 1024), compresslevel=9)
    return Fault(200, {**HTML, "Content-Encoding": "gzip"}, raw)


class FaultServer:
    def __init__(self, routes: dict[str, Fault | Iterable[Fault]] | None = None):
        self.routes: dict[str, list[Fault]] = {}
        self.handlers: dict[str, Callable[[dict[str, str]], Fault]] = {}
        for path, faults in (routes or {}).items():
            self.add(path, faults)
        self.log: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._serve(self)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                server._serve(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def add(self, path: str, faults: Fault | Iterable[Fault]) -> None:
        self.routes[path] = [faults] if isinstance(faults, Fault) else list(faults)

    def handle(self, path: str, handler: Callable[[dict[str, str]], Fault]) -> None:
        """Answer `path` (any query) with handler(query parameters)."""
        self.handlers[path] = handler

    def _next(self, path: str) -> Fault:
        with self._lock:
            handler = self.handlers.get(path.split("?")[0])
            if handler is not None:
                return handler(dict(parse_qsl(urlsplit(path).query)))
            faults = self.routes.get(path) or self.routes.get(path.split("?")[0])
            if not faults:
                return reply(404, b"not found", TEXT)
            return faults.pop(0) if len(faults) > 1 else faults[0]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        self.log.append(
            {"path": handler.path, "time": time.monotonic(), "headers": dict(handler.headers)}
        )
        fault = self._next(handler.path)
        connection = handler.connection
        if fault.action == "reset":
            # SO_LINGER 0: close sends a RST, the client sees "connection reset".
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            return
        if fault.action == "hang":
            time.sleep(fault.delay)
            handler.close_connection = True
            return
        if fault.delay:
            time.sleep(fault.delay)
        handler.send_response(fault.status)
        for name, value in fault.headers.items():
            handler.send_header(name, value)
        if fault.action == "truncate":
            handler.send_header("Content-Length", str(len(fault.body) + 1000))
        elif fault.content_length:
            handler.send_header("Content-Length", str(len(fault.body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        try:
            handler.wfile.write(fault.body)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a download cut at DOWNLOAD_MAXSIZE)
        handler.close_connection = True

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def requests_to(self, path_prefix: str) -> list[dict[str, Any]]:
        return [entry for entry in self.log if entry["path"].startswith(path_prefix)]

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_ports(count: int) -> list[int]:
    """`count` different 127.0.0.1 ports nothing listens on (bound together, then released)."""
    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()
