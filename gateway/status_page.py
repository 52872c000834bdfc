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

log = logging.getLogger("gateway.status")

SEVERITY = {3: ("Hôm nay", "today"), 2: ("Trong tuần", "this week"), 1: ("Khi tiện", "when passing")}
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


def render_html(h: dict[str, Any]) -> str:
    e = html.escape
    now = float(h.get("time", time.time()))
    rows = []
    for v in h.get("needs_visit", []):
        vi_sev, en_sev = SEVERITY.get(v["severity"], ("?", "?"))
        reasons = "<br>".join(f"{e(r['vi'])} <span class=en>/ {e(r['en'])}</span>" for r in v["reasons"])
        rows.append(
            f"<tr class=s{int(v['severity'])}><td>{int(v['node_id'])}</td>"
            f"<td>{e(vi_sev)} <span class=en>/ {e(en_sev)}</span></td><td>{reasons}</td></tr>"
        )
    alerts = "".join(
        f"<li>{e(_t(a['at'], now))}: {e(a['message_vi'])} <span class=en>/ {e(a['message_en'])}</span></li>"
        for a in reversed(h.get("alerts", []))
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
    return f"""<!doctype html>
<html lang=vi><head><meta charset=utf-8><meta name=viewport content="width=device-width,initial-scale=1">
<meta http-equiv=refresh content=30><title>Gateway — Ruộng Số</title><style>{_CSS}</style></head><body>
<h1>Trạm gateway <span class=en>/ Farm gateway</span></h1>
<table>
<tr><th>Hàng đợi <span class=en>/ queue</span></th><td>{int(h.get("queue_depth", 0))} khung / frames</td></tr>
<tr><th>Dung lượng <span class=en>/ outbox size</span></th><td{alarm}>{used / 1e6:.1f} MB{cap_txt}</td></tr>
<tr><th>Gửi thành công cuối <span class=en>/ last upload</span></th>
<td>{e(_t(h.get("last_upload"), now))}</td></tr>
<tr><th>Lỗi gần nhất <span class=en>/ last error</span></th><td>{e(str(h.get("last_error") or "—"))}</td></tr>
<tr><th>Bộ luật <span class=en>/ rules version</span></th><td>{int(h.get("rules_version", 0))}</td></tr>
</table>
<h2>Nút cần kiểm tra <span class=en>/ Nodes that need a visit</span></h2>
<table><tr><th>Nút / node</th><th>Khi nào / when</th><th>Lý do / reasons</th></tr>
{"".join(rows) or "<tr><td colspan=3>Không có / none</td></tr>"}</table>
<h2>Cảnh báo <span class=en>/ Alerts</span></h2><ul>{alerts or "<li>Không có / none</li>"}</ul>
<h2>Tất cả nút <span class=en>/ All nodes</span></h2>
<table><tr><th>Nút</th><th>Lần cuối / last seen</th><th>Pin / battery V</th><th>RSSI</th>
<th>Mất / lost</th><th>Lỗi / faults</th></tr>{nodes}</table>
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
