"""A local Open-Meteo-compatible forecast server: a real socket on 127.0.0.1 (``http.server`` in a
thread) replaying the answers kept in ``tests/weather/fixtures`` (in the shape ``GET /v1/forecast``
documents), with their dates moved so the first forecast day is the farm's today.

``answer`` picks what the next requests get: a fixture name ("dry", "wet", ...), served as 200;
``status`` another HTTP status; ``raw`` a body served as it is (malformed answers); ``stop()``
closes the socket so the API is down (connection refused), ``start()`` opens it again.
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from common.timezone import local_today

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture(name: str, first_day: date | None = None) -> str:
    """The recorded answer ``openmeteo_<name>.json``, its time stamps moved to start on ``first_day``
    (default: the farm's today). Malformed fixtures (not JSON) are returned unchanged."""
    text = (FIXTURES / f"openmeteo_{name}.json").read_text(encoding="utf-8")
    try:
        data: dict[str, Any] = json.loads(text)
    except ValueError:
        return text
    times = data.get("hourly", {}).get("time")
    if times:
        shift = (first_day or local_today()) - datetime.fromisoformat(times[0]).date()
        data["hourly"]["time"] = [
            (datetime.fromisoformat(t) + timedelta(days=shift.days)).strftime("%Y-%m-%dT%H:%M") for t in times
        ]
    return json.dumps(data, ensure_ascii=False)


class Replay:
    def __init__(self) -> None:
        self.answer = "dry"
        self.status = 200
        self.raw: str | None = None
        self.requests: list[dict[str, list[str]]] = []
        self.paths: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Replay:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                replay.paths.append(parts.path)
                replay.requests.append(parse_qs(parts.query))
                body = (replay.raw if replay.raw is not None else fixture(replay.answer)).encode()
                self.send_response(replay.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
