"""A scripted OpenAI-compatible server for the tests: answers /v1/chat/completions from a queue.

Started on 127.0.0.1 in a thread; every request is recorded (path, headers, JSON body) so tests
can read what the client sent. Script items: `answer(text)`, `status(429)`, `slow(seconds)`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    content: str = ""
    finish_reason: str = "stop"
    status: int = 200
    delay: float = 0.0
    model: str = ""  # the model the server claims; default: the one asked for
    raw: Any = None  # sent as the whole response body instead (JSON, or bytes as they are)


def answer(content: str, finish_reason: str = "stop") -> Reply:
    return Reply(content, finish_reason)


def status(code: int) -> Reply:
    return Reply(status=code)


def slow(seconds: float, content: str = "too late") -> Reply:
    return Reply(content, delay=seconds)


def raw(body: Any, code: int = 200) -> Reply:
    """A response body exactly as given: what odd servers send (no usage, null content...)."""
    return Reply(status=code, raw=body)


@dataclass
class FakeOpenAI:
    """The server's state: the script still to play and the requests received."""

    script: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def queue(self, *replies: Reply) -> None:
        self.script.extend(replies)

    @property
    def completions(self) -> list[dict[str, Any]]:
        """Bodies of the chat completion requests, in order."""
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    def next_reply(self) -> Reply:
        with self.lock:
            if not self.script:
                return Reply(status=500, content="script exhausted")
            return self.script.popleft()


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            fake.requests.append({"path": self.path, "headers": _lower(self.headers), "body": None})
            self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append({"path": self.path, "headers": _lower(self.headers), "body": body})
            reply = fake.next_reply()
            if reply.delay:
                time.sleep(reply.delay)
            if reply.raw is not None:
                self._raw(reply.status, reply.raw)
                return
            if reply.status != 200:
                error = {"error": {"message": reply.content or "scripted error", "type": "x"}}
                self._json(reply.status, error, {"retry-after-ms": "10"})
                return
            self._json(200, _completion(body, reply))

        def _raw(self, code: int, body: Any) -> None:
            if isinstance(body, bytes):
                self._json(code, None, blob=body, kind="text/html")
            else:
                self._json(code, body)

        def _json(
            self,
            code: int,
            data: Any,
            headers: dict[str, str] | None = None,
            blob: bytes | None = None,
            kind: str = "application/json",
        ) -> None:
            blob = json.dumps(data).encode() if blob is None else blob
            try:
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(blob)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(blob)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    return Handler


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": reply.model or body.get("model", "fake-model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


@contextmanager
def fake_openai() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _lower(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}
