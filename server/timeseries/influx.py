"""InfluxDB adapter over the v1 HTTP API (line protocol on /write, InfluxQL on /query).

The v1 API is the one every InfluxDB serves: Debian's 1.6.7 natively, 2.x through its
compatibility endpoints, 3.x natively — see docs/architecture.md for why not the 2.x client.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

import orjson
import requests

from server.timeseries import influx_rollup as ru
from server.timeseries.base import FrameRecord, SeriesPoint, StoreUnavailable, check_channels
from server.timeseries.influx_reads import InfluxRollupReads
from server.timeseries.lineproto import (
    FLAGGED_SUFFIX,
    MEASUREMENT,
    QUALITY_SUFFIX,
    STATUS_SUFFIX,
    record_from_row,
    to_line,
)

log = logging.getLogger(__name__)


class InfluxStore(InfluxRollupReads):
    def __init__(
        self,
        base_url: str,
        database: str,
        raw_days: int = 90,
        hourly_days: int = 1825,
        timeout_s: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.database = database
        self.raw_days, self.hourly_days = raw_days, hourly_days
        self.timeout_s = timeout_s
        self._http = requests.Session()
        # InfluxDB sits beside the app: never through an HTTP proxy from the environment (and
        # requests would re-read the proxy settings on every query, ~0.2 ms each).
        self._http.trust_env = False
        self._created = False

    @classmethod
    def from_url(cls, url: str, raw_days: int = 90, hourly_days: int = 1825) -> InfluxStore:
        parsed = urlparse(url)
        database = parsed.path.strip("/") or "farm"
        if not database.replace("_", "").isalnum():
            raise ValueError("InfluxDB database name must be alphanumeric")
        return cls(f"http://{parsed.hostname}:{parsed.port or 8086}", database, raw_days, hourly_days)

    def _post(self, path: str, timeout_s: float | None = None, **kwargs: Any) -> requests.Response:
        try:
            response = self._http.post(self.base_url + path, timeout=timeout_s or self.timeout_s, **kwargs)
        except requests.RequestException as exc:
            raise StoreUnavailable(f"InfluxDB unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise StoreUnavailable(f"InfluxDB error {response.status_code}: {response.text[:200]}")
        return response

    def _ensure_database(self) -> None:
        if not self._created:
            self.setup()

    def setup(self) -> None:
        """Database, retention policies and continuous queries; safe to repeat (see influx_rollup)."""
        for statement, fallback in ru.setup_statements(self.database, self.raw_days, self.hourly_days):
            try:
                self.query(statement)
            except ValueError as exc:
                if "already exists" not in str(exc):
                    raise
                if fallback:
                    self.query(fallback)
        self._created = True

    def query(self, q: str, timeout_s: float | None = None) -> list[dict[str, Any]]:
        params = {"db": self.database, "epoch": "s"}
        response = self._post("/query", timeout_s, params=params, data={"q": q})
        if response.status_code != 200:
            raise StoreUnavailable(f"InfluxDB query failed {response.status_code}: {response.text[:200]}")
        try:  # orjson: a year of rollups for 100 nodes is tens of thousands of rows
            results: list[dict[str, Any]] = orjson.loads(response.content).get("results", [])
        except orjson.JSONDecodeError as exc:
            raise StoreUnavailable(f"InfluxDB answered malformed JSON: {exc}") from exc
        for result in results:
            if "error" in result:
                raise ValueError(f"InfluxQL error: {result['error']}")
        return results

    def write(self, records: Sequence[FrameRecord]) -> None:
        if not records:
            return
        self._ensure_database()
        body = "\n".join(to_line(r) for r in records).encode()
        self._write_body(body, ru.RAW, precision="ms")

    def _write_body(self, body: bytes, rp: str, precision: str = "s") -> None:
        params = {"db": self.database, "rp": rp, "precision": precision}
        response = self._post("/write", params=params, data=body)
        if response.status_code == 400 and "beyond retention policy" in response.text:
            log.warning("InfluxDB dropped points older than retention: %s", response.text[:200])
            return  # the rest of the batch is written; retrying cannot bring those points back
        if response.status_code != 204:
            raise StoreUnavailable(f"InfluxDB write failed {response.status_code}: {response.text[:200]}")

    def latest(self, node_ids: Sequence[int]) -> dict[int, FrameRecord]:
        if not node_ids:
            return {}
        self._ensure_database()
        pattern = "|".join(str(int(n)) for n in node_ids)
        results = self.query(
            f'SELECT * FROM "{MEASUREMENT}" WHERE "node" =~ /^({pattern})$/'
            ' GROUP BY "node" ORDER BY time DESC LIMIT 1'
        )
        out: dict[int, FrameRecord] = {}
        for series in results[0].get("series", []):
            row = dict(zip(series["columns"], series["values"][0], strict=True))
            node_id = int(series["tags"]["node"])
            out[node_id] = record_from_row(node_id, row)
        return out

    def series(self, node_id: int, channel: str, start_s: int, end_s: int) -> list[SeriesPoint]:
        return self.series_many(node_id, [channel], start_s, end_s)[channel]

    def series_many(
        self, node_id: int, channels: Sequence[str], start_s: int, end_s: int
    ) -> dict[str, list[SeriesPoint]]:
        check_channels(channels)
        out: dict[str, list[SeriesPoint]] = {ch: [] for ch in channels}
        if not out:
            return out
        self._ensure_database()
        cols = ", ".join(
            f'"{ch}", "{ch}{FLAGGED_SUFFIX}", "{ch}{STATUS_SUFFIX}", "{ch}{QUALITY_SUFFIX}"' for ch in out
        )
        # Points carry a millisecond offset within their second (lineproto.point_time_ms), so the
        # end bound covers the whole last second.
        q = (
            f'SELECT {cols} FROM "{MEASUREMENT}"'
            f" WHERE \"node\" = '{int(node_id)}' AND time >= {int(start_s)}s AND time < {int(end_s) + 1}s"
        )
        lists = list(out.values())
        for series in self.query(q)[0].get("series", []):
            for row in series["values"]:
                t = int(row[0])
                for k, points in enumerate(lists):
                    value, flagged, status, quality = row[1 + 4 * k : 5 + 4 * k]
                    if value is None:  # a flagged value lives in its own field (lineproto)
                        value = flagged
                    if value is not None or status is not None:
                        points.append(SeriesPoint(t, value, int(status or 0), int(quality or 0)))
        return out

    def maintain(self, now_s: int) -> None:
        self.setup()

    def close(self) -> None:
        self._http.close()
