"""The forecast cache: the last good answer of the forecast API per rounded location.

One row per location cell (``cell`` = latitude and longitude rounded to ``server.weather.
coordinator.CELL_DEG``), so the fields of one village share one request. The raw body is kept and
validated again on every read (``openmeteo.parse``): a cached answer obeys the same checks as a
fresh one, and a rule made stricter later applies to what was stored before it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class ForecastCache(Base):
    __tablename__ = "weather_forecast"
    cell: Mapped[str] = mapped_column(String(32), primary_key=True)  # "21.3,105.6"
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    fetched_at: Mapped[int] = mapped_column(BigInteger)  # Unix seconds of the answer
    source: Mapped[str] = mapped_column(String(200))  # the API's base URL that answered
    body: Mapped[str] = mapped_column(Text)  # the API's JSON answer as received (already validated)
