"""Server settings from the environment, so one image runs as the demo, in tests and in production."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

_ENV = {  # setting -> environment variable (see docs/deployment.md)
    "database_url": "RUONGSO_DATABASE_URL",
    "tsdb_url": "RUONGSO_TSDB_URL",
    "secret_key": "RUONGSO_SECRET_KEY",
    "cookie_secure": "RUONGSO_COOKIE_SECURE",
    "raw_retention_days": "RUONGSO_RAW_RETENTION_DAYS",
    "hourly_retention_days": "RUONGSO_HOURLY_RETENTION_DAYS",
    "ingest_max_concurrent": "RUONGSO_INGEST_MAX_CONCURRENT",
    "login_max_concurrent_hashes": "RUONGSO_LOGIN_MAX_CONCURRENT_HASHES",
    "login_hash_wait_ms": "RUONGSO_LOGIN_HASH_WAIT_MS",
    "auto_migrate": "RUONGSO_AUTO_MIGRATE",
    "blob_dir": "RUONGSO_BLOB_DIR",
    "proxy_hops": "RUONGSO_PROXY_HOPS",
    "public_base_url": "RUONGSO_PUBLIC_BASE_URL",
    # Notifications (docs/notifications.md): a channel with no URL/token/directory is off.
    "sms_http_url": "RUONGSO_SMS_HTTP_URL",
    "sms_http_token": "RUONGSO_SMS_HTTP_TOKEN",
    "sms_sender": "RUONGSO_SMS_SENDER",
    "gammu_outbox_dir": "RUONGSO_GAMMU_OUTBOX_DIR",
    "zalo_zns_url": "RUONGSO_ZALO_ZNS_URL",
    "zalo_access_token": "RUONGSO_ZALO_ACCESS_TOKEN",
    "zalo_template_id": "RUONGSO_ZALO_TEMPLATE_ID",
    "vapid_private_key": "RUONGSO_VAPID_PRIVATE_KEY",
    "vapid_subject": "RUONGSO_VAPID_SUBJECT",
    "notify_max_attempts": "RUONGSO_NOTIFY_MAX_ATTEMPTS",
    "forecast_url": "RUONGSO_FORECAST_URL",
    "forecast_ttl_s": "RUONGSO_FORECAST_TTL_S",
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    tsdb_url: str  # "embedded" or "influx://HOST:PORT/DATABASE" (InfluxDB v1 HTTP API)
    secret_key: str
    max_batch_frames: int = 5000
    max_clock_skew_s: int = 300
    cookie_secure: bool = False  # set in production (HTTPS); browsers drop Secure cookies on plain http
    raw_retention_days: int = 90  # raw readings; hourly/daily rollups are kept for years
    hourly_retention_days: int = 5 * 365
    ingest_max_concurrent: int = 4  # per worker; more concurrent batches get 429 + Retry-After
    # Each password check holds 64 MiB of argon2 memory: at most this many run at once per worker,
    # and a login that cannot get a slot within the wait gets 429 + Retry-After.
    login_max_concurrent_hashes: int = 2
    login_hash_wait_ms: int = 500
    auto_migrate: bool = True  # run Alembic "upgrade head" at startup (single-process installs, tests)
    blob_dir: str = ""  # photos; default <data_dir>/blobs
    proxy_hops: int = 0  # trusted reverse proxies (nginx = 1): client address from X-Forwarded-For
    # Where the public lot pages live (https://truyxuat.example.vn): printed in QR codes and PDFs,
    # which are cached publicly, so never taken from a request's Host header once set.
    public_base_url: str = ""
    # An Open-Meteo-compatible forecast API (e.g. https://api.open-meteo.com, or a cooperative's own
    # mirror); empty = no forecast, and every advice says so. ``server.weather`` reads both.
    forecast_url: str = ""
    forecast_ttl_s: int = 3600  # a cached forecast is fresh this long (Open-Meteo models update hourly)
    # Notification channels (server/notify): SMS by an HTTP provider (SpeedSMS protocol) or a GSM
    # modem's gammu-smsd spool directory; Zalo ZNS (URL, Official Account token, template id);
    # Web Push (VAPID P-256 key as PEM text or a file path: empty makes one in the data directory,
    # and a contact for push services, RFC 8292 §2.1).
    sms_http_url: str = ""
    sms_http_token: str = ""
    sms_sender: str = ""
    gammu_outbox_dir: str = ""
    zalo_zns_url: str = ""  # https://business.openapi.zalo.me/message/template in production
    zalo_access_token: str = ""
    zalo_template_id: str = ""
    vapid_private_key: str = ""
    vapid_subject: str = ""  # mailto:… or https://…; Web Push is off without it
    notify_max_attempts: int = 6  # then "dead": tries 1, 2, 4, 8, 16 min apart (~half an hour)
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, data_dir: Path | None = None, **overrides: Any) -> Settings:
        base = Path(data_dir or os.environ.get("RUONGSO_DATA_DIR", "var")).resolve()
        base.mkdir(parents=True, exist_ok=True)
        values: dict[str, Any] = {
            "database_url": f"sqlite:///{base / 'registry.sqlite'}",
            "tsdb_url": "embedded",
            "blob_dir": str(base / "blobs"),
        }
        types = {f.name: f.type for f in fields(cls)}
        for name, var in _ENV.items():
            if os.environ.get(var):
                values[name] = _parse(os.environ[var], str(types[name]))
        values.update(overrides)
        values.setdefault("secret_key", _stable_secret(base))
        return cls(data_dir=base, **values)


def _parse(text: str, kind: str) -> Any:
    if kind == "bool":
        return text.strip().lower() in ("1", "true", "yes", "on")
    if kind == "int":
        return int(text)
    return text


def _stable_secret(base: Path) -> str:
    """A per-installation secret kept in the data directory, so sessions survive restarts."""
    path = base / "secret_key"
    if not path.exists():
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()
