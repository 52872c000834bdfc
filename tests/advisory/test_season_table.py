"""The season table (pandas): built by column from the field days, exported as each language's Excel
reads a CSV (Vietnamese: ``;`` and a decimal comma; English: ``,`` and a point), both with a BOM."""

from __future__ import annotations

import io
import math
from datetime import date
from typing import Any

import openpyxl
import pandas as pd

from server.advisory import season_table
from server.advisory import water_balance as wb

DAYS: list[dict[str, Any]] = [
    {
        "day": "2026-07-01",
        "stage": "mid",
        "rain_mm": 0.0,
        "et0_mm": 4.46,
        "kc": 1.15,
        "etc_mm": 5.13,
        "gdd": 18.25,
    },
    {
        "day": "2026-07-02",
        "stage": "mid",
        "rain_mm": 12.4,
        "et0_mm": 3.1,
        "kc": 1.15,
        "etc_mm": 3.57,
        "gdd": 17.0,
    },
    {
        "day": "2026-07-03",
        "stage": "mid",
        "rain_mm": None,
        "et0_mm": None,
        "kc": 1.15,
        "etc_mm": None,
        "gdd": None,
    },
]


def _frame() -> pd.DataFrame:
    return season_table.build(
        DAYS,
        crop_key="tomato",
        soil=wb.soil_for_texture("clay_loam"),
        sprays={date(2026, 7, 2): ["Score 250EC", "Ridomil Gold"]},
        risk={date(2026, 7, 2): "high"},
    )


def test_columns_are_built_by_day() -> None:
    frame = _frame()
    rows = frame.to_dict("records")
    assert [r["gdd_season"] for r in rows][:2] == [18.25, 35.25]
    assert rows[0]["depletion_mm"] == 5.1 and rows[1]["depletion_mm"] == 0.0  # rain refills (FAO-56 Eq. 85)
    assert math.isnan(rows[2]["depletion_mm"])  # a day without ETc is left blank, never guessed
    assert rows[1]["sprays"] == "Score 250EC, Ridomil Gold" and rows[1]["risk"] == "high"


def test_csv_for_vietnamese_and_english_excel() -> None:
    vi = season_table.to_csv(_frame(), "vi").decode("utf-8")
    assert vi.startswith("\ufeffNgày;Giai đoạn;Mưa (mm);")
    assert (
        vi.splitlines()[2]
        == "02/07/2026;giữa vụ;12,4;3,1;1,15;3,6;17,0;35,2;0,0;;Score 250EC, Ridomil Gold;cao"
    )
    en = season_table.to_csv(_frame(), "en").decode("utf-8")
    assert en.splitlines()[2].startswith(
        '2026-07-02,mid-season,12.4,3.1,1.15,3.6,17.0,35.2,0.0,,"Score 250EC, Ridomil Gold",high'
    )


def test_xlsx_keeps_real_dates_and_numbers() -> None:
    book = openpyxl.load_workbook(io.BytesIO(season_table.to_xlsx(_frame(), "vi", "Mùa vụ Vườn cà chua")))
    sheet = book["Mùa vụ Vườn cà chua"]
    assert sheet["A2"].value.date() == date(2026, 7, 1) and sheet["A2"].number_format == "DD/MM/YYYY"
    assert sheet["C3"].value == 12.4 and sheet["L3"].value == "cao"
