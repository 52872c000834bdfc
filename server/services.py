"""The app's long-lived adapters (registry database, time-series store), one set per app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from server.blobs import BlobStore
from server.config import Settings
from server.db import Database
from server.timeseries.base import TimeSeriesStore


@dataclass
class Services:
    db: Database
    store: TimeSeriesStore
    settings: Settings | None = None
    blobs: BlobStore | None = None


def services() -> Services:
    svc: Services = current_app.extensions["ruongso"]
    return svc
