"""A small local status page served by the gateway process (127.0.0.1 only, no external assets).

A technician on the farm, with no internet, opens it on the gateway's own screen or through an
SSH tunnel: the queue, the last upload, the rule alerts and the sorted "needs a visit" list, in
Vietnamese and English. ``/health.json`` gives the same data for scripts. Plain server-side HTML
that refreshes itself every 30 s: nothing to download, works in any browser.
"""

from __future__ import annotations

import html
import json
import logging
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from common.language import LANGS
from gateway import texts

log = logging.getLogger("gateway.status")

_CSS = """body{font:16px/1.4 system-ui,sans-serif;margin:1rem;max-width:60rem;color:#1b1b1b}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ccc;padding:.3rem .4rem;text-align:left;vertical-align:top}
.s3{color:#a40000;font-weight:bold}.s2{color:#8a5a00}.s1{color:#333}.en{color:#555;font-size:.9em}
.bad{color:#a40000;font-weight:bold}"""


def _t(ts: float | None, now: float) -> str:
    if ts is None:
        return "—"
    age = max(0, int(now - ts))
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))
    return f"{when} ({age // 3600} h {age % 3600 // 60} min)"


def _langs(items: list[str]) -> str:
    """The first language's text, then each other one greyed: "Pin yếu <span class=en>/ …</span>"."""
    first, *rest = [html.escape(t) for t in items]
    return first + "".join(f" <span class=en>/ {t}</span>" for t in rest)


def _w(key: str, **params: Any) -> str:
    """Message ``key`` of ``gateway/messages.json`` in every language, escaped, as ``_langs``."""
    words = texts.text(key, **params)
    return _langs([words[lang] for lang in LANGS])


def render_html(h: dict[str, Any]) -> str:
    e = html.escape
    now = float(h.get("time", time.time()))
    rows = []
    for v in h.get("needs_visit", []):
        severity = int(v["severity"])
        when = _w(f"severity.{severity}") if f"severity.{severity}" in texts.catalogue() else "?"
        reasons = "<br>".join(_langs(texts.of_reason(r)) for r in v["reasons"])
        rows.append(
            f"<tr class=s{severity}><td>{int(v['node_id'])}</td><td>{when}</td><td>{reasons}</td></tr>"
        )
    alerts = "".join(
        f"<li>{e(_t(a['at'], now))}: {_langs(texts.of_alert(a))}</li>" for a in reversed(h.get("alerts", []))
    )
    alarm = " class=bad" if h.get("outbox_alarm") else ""
    used, cap = h.get("outbox_bytes", 0), h.get("outbox_max_bytes")
    cap_txt = f" / {cap / 1e6:.0f} MB" if cap else ""
    nodes = "".join(
        f"<tr><td>{e(str(n['node_id']))}</td><td>{e(_t(n['last_seen'], now))}</td>"
        f"<td>{e(str(n['battery_v'] if n['battery_v'] is not None else '—'))}</td>"
        f"<td>{e(str(n['rssi_dbm'] if n['rssi_dbm'] is not None else '—'))}</td>"
        f"<td>{int(n['frames_lost'])}</td><td>{e(', '.join(n['sensor_faults']) or '—')}</td></tr>"
        for n in h.get("nodes", {}).values()
    )
    none = _w("page.none")
    return f"""<!doctype html>
<html lang={LANGS[0]}><head><meta charset=utf-8>
<meta name=viewport content="width=device-width,initial-scale=1"><meta http-equiv=refresh content=30>
<title>Gateway — Ruộng Số</title><style>{_CSS}</style></head><body>
<h1>{_w("page.title")}</h1>
<table>
<tr><th>{_w("page.queue")}</th><td>{_w("page.frames", count=int(h.get("queue_depth", 0)))}</td></tr>
<tr><th>{_w("page.outbox_size")}</th><td{alarm}>{used / 1e6:.1f} MB{cap_txt}</td></tr>
<tr><th>{_w("page.last_upload")}</th><td>{e(_t(h.get("last_upload"), now))}</td></tr>
<tr><th>{_w("page.last_error")}</th><td>{e(str(h.get("last_error") or "—"))}</td></tr>
<tr><th>{_w("page.rules_version")}</th><td>{int(h.get("rules_version", 0))}</td></tr>
</table>
<h2>{_w("page.needs_visit")}</h2>
<table><tr><th>{_w("page.node")}</th><th>{_w("page.when")}</th><th>{_w("page.reasons")}</th></tr>
{"".join(rows) or f"<tr><td colspan=3>{none}</td></tr>"}</table>
<h2>{_w("page.alerts")}</h2><ul>{alerts or f"<li>{none}</li>"}</ul>
<h2>{_w("page.all_nodes")}</h2>
<table><tr><th>{_w("page.node")}</th><th>{_w("page.last_seen")}</th><th>{_w("page.battery")}</th><th>RSSI</th>
<th>{_w("page.lost")}</th><th>{_w("page.faults")}</th></tr>{nodes}</table>
</body></html>"""


class StatusServer:
    """Serves ``render_html(health())`` on ``/`` and the JSON on ``/health.json``."""

    def __init__(
        self, health: Callable[[], dict[str, Any]], host: str = "127.0.0.1", port: int = 8090
    ) -> None:
        get_health = health

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                try:
                    doc = get_health()
                except Exception as exc:  # show the failure rather than a dead page
                    self._send(500, "text/plain; charset=utf-8", f"error: {exc}".encode())
                    return
                if self.path in ("/", "/index.html"):
                    self._send(200, "text/html; charset=utf-8", render_html(doc).encode())
                elif self.path == "/health.json":
                    self._send(200, "application/json", json.dumps(doc, ensure_ascii=False).encode())
                else:
                    self._send(404, "text/plain; charset=utf-8", b"not found")

            def _send(self, status: int, ctype: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the gateway's own structured log is enough

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])

    def start(self) -> None:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        log.info("event=status_page url=http://127.0.0.1:%d/", self.port)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
