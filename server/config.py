"""Server settings from the environment, so one image runs as the demo, in tests and in production."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    tsdb_url: str  # "embedded" or "influx://HOST:PORT/DATABASE" (InfluxDB v1 HTTP API)
    secret_key: str
    max_batch_frames: int = 5000
    max_clock_skew_s: int = 300
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, data_dir: Path | None = None, **overrides: str) -> Settings:
        base = Path(data_dir or os.environ.get("RUONGSO_DATA_DIR", "var")).resolve()
        base.mkdir(parents=True, exist_ok=True)
        values = {
            "database_url": os.environ.get("RUONGSO_DATABASE_URL", f"sqlite:///{base / 'registry.sqlite'}"),
            "tsdb_url": os.environ.get("RUONGSO_TSDB_URL", "embedded"),
            "secret_key": os.environ.get("RUONGSO_SECRET_KEY") or _stable_secret(base),
        }
        values.update(overrides)
        return cls(
            data_dir=base,
            database_url=values["database_url"],
            tsdb_url=values["tsdb_url"],
            secret_key=values["secret_key"],
        )


def _stable_secret(base: Path) -> str:
    """A per-installation secret kept in the data directory, so sessions survive restarts."""
    path = base / "secret_key"
    if not path.exists():
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()
