"""Outbreak density grid: peaks where the cases are, confirmed weigh more, empty input is empty."""

from __future__ import annotations

import pytest

from mobile_api.officer.alerts_api import distance_m
from server.officer.density import Case, grid


def test_density_peaks_at_the_cluster() -> None:
    cluster = [Case(21.2340 + i * 0.0002, 105.4925, "confirmed") for i in range(4)]
    far = [Case(21.2600, 105.5300, "suspected")]
    cells = grid(cluster + far)
    top = max(cells, key=lambda c: c.density)
    assert top.level == 4 and top.south <= 21.2343 <= top.north + 0.002 and top.west <= 105.4925 <= top.east
    lone = min(
        (c for c in cells if c.south <= 21.26 <= c.north and c.west <= 105.53 <= c.east),
        key=lambda c: c.level,
    )
    assert lone.level < top.level
    assert all(c.north > c.south and c.east > c.west for c in cells)


def test_confirmed_weigh_more_than_suspected() -> None:
    confirmed = max(c.density for c in grid([Case(21.23, 105.49, "confirmed")]))
    suspected = max(c.density for c in grid([Case(21.23, 105.49, "suspected")]))
    assert confirmed == pytest.approx(2 * suspected, rel=0.01)


def test_no_cases_no_cells() -> None:
    assert grid([]) == []


def test_distance() -> None:
    assert distance_m((21.0, 105.5), (22.0, 105.5)) == pytest.approx(111_195, abs=5)
