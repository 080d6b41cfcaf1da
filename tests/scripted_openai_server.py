"""A scripted OpenAI-compatible server, run as a process of its own, like a user's Ollama or vLLM.

    python tests/scripted_openai_server.py CONFIG.json LOG.jsonl PORT_FILE

CONFIG holds `models` (the names it serves), `key` (the API key it accepts; none: any) and
`replies`, played in order to POST /v1/chat/completions: {"content": ..., "finish_reason": ...,
"model": the model it claims (default: the one asked), "omit": ["usage", "model"]}, or
{"status": 503, "body": {...}}. Each request is appended to LOG as one JSON line (path, model,
the messages, whether the right key came: never the key). It listens on 127.0.0.1 on a free
port, written to PORT_FILE once it serves; it runs until it is terminated.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class Script:
    def __init__(self, config: dict[str, Any], log: Path) -> None:
        self.models: list[str] = list(config.get("models", []))
        self.key: str | None = config.get("key")
        self.replies: list[dict[str, Any]] = list(config.get("replies", []))
        self.log = log
        self.lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock, self.log.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, sort_keys=True) + "\n")

    def next_reply(self) -> dict[str, Any]:
        with self.lock:
            if not self.replies:
                return {"status": 500, "body": _error("the script is exhausted", "server_error")}
            return self.replies.pop(0)


def _error(message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "code": code}}


def handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the log file is the record

        def _authorized(self) -> bool:
            given = self.headers.get("Authorization", "")
            return script.key is None or given == f"Bearer {script.key}"

        def do_GET(self) -> None:
            script.record({"path": self.path, "authorized": self._authorized()})
            if not self._authorized():
                self._send(401, _error("Incorrect API key provided", "invalid_api_key"))
                return
            data = [{"id": m, "object": "model", "owned_by": "script"} for m in script.models]
            self._send(200, {"object": "list", "data": data})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            model = body.get("model")
            script.record(
                {
                    "path": self.path,
                    "authorized": self._authorized(),
                    "model": model,
                    "messages": body.get("messages", []),
                }
            )
            if not self._authorized():
                self._send(401, _error("Incorrect API key provided", "invalid_api_key"))
            elif script.models and model not in script.models:
                message = f"The model `{model}` does not exist or you do not have access to it."
                self._send(404, _error(message, "model_not_found"))
            else:
                reply = script.next_reply()
                if "status" in reply:
                    self._send(int(reply["status"]), reply.get("body", {}))
                else:
                    self._send(200, _completion(str(model), reply))

        def _send(self, code: int, data: Any) -> None:
            blob = json.dumps(data).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(blob)))
                self.end_headers()
                self.wfile.write(blob)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def _completion(model: str, reply: dict[str, Any]) -> dict[str, Any]:
    omit = set(reply.get("omit", []))
    message = {"role": "assistant", "content": reply.get("content")}
    if "reasoning_content" in reply:
        message["reasoning_content"] = reply["reasoning_content"]
    out: dict[str, Any] = {
        "id": "chatcmpl-script",
        "object": "chat.completion",
        "created": 0,
        "model": reply.get("model", model),
        "choices": [
            {"index": 0, "message": message, "finish_reason": reply.get("finish_reason", "stop")}
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }
    return {k: v for k, v in out.items() if k not in omit}


def main(config_path: str, log_path: str, port_path: str) -> None:
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    script = Script(config, Path(log_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(script))
    server.daemon_threads = True
    port = Path(port_path)
    partial = port.with_suffix(".partial")
    partial.write_text(str(server.server_address[1]), encoding="utf-8")
    partial.replace(port)  # whole or absent: the test polls for it
    server.serve_forever(poll_interval=0.05)


if __name__ == "__main__":
    main(*sys.argv[1:4])
