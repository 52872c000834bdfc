"""The season table of a field: one row per day — rain, ET0, crop water use, GDD, the root-zone water
balance, sprays and the day's highest disease risk — and its export for the farmer's spreadsheet.

Why pandas here: the table is a labelled daily time series that is built by column (a running
GDD sum, a running water balance), written to two spreadsheet formats with their locale rules
(Vietnamese Excel reads CSV with ``;`` between fields and a decimal comma) and to XLSX with real
dates and numbers. ``DataFrame.to_csv(sep=";", decimal=",")`` and ``to_excel`` do exactly that;
by hand it would be a CSV writer, a number formatter and an XLSX writer of our own. The advice
itself stays in plain Python (one field, one day: pandas would only add start-up time).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from common.language import DEFAULT, FORMATS
from server.advisory import kc
from server.advisory import water_balance as wb
from server.advisory.i18n import Lang, level_text, message

#: The table's columns, in order; each header is the message ``season_table.<column>``.
COLUMNS = (
    "day",
    "stage",
    "rain_mm",
    "et0_mm",
    "kc",
    "etc_mm",
    "gdd",
    "gdd_season",
    "depletion_mm",
    "leaf_wet_h",
    "sprays",
    "risk",
)
#: Decimals shown per numeric column (the sensors' and FAO-56's own precision, never more).
DECIMALS = {"rain_mm": 1, "et0_mm": 1, "kc": 2, "etc_mm": 1, "gdd": 1, "gdd_season": 1, "depletion_mm": 1}
#: A UTF-8 byte-order mark: without it Excel on Windows reads a CSV as the ANSI code page and
#: garbles every Vietnamese letter.
BOM = "\ufeff"


def build(
    days: Sequence[Mapping[str, Any]],
    *,
    crop_key: str,
    soil: wb.Soil,
    sprays: Mapping[date, Sequence[str]],
    risk: Mapping[date, str],
) -> pd.DataFrame:
    """The season table from the field days (``FieldDay.as_json()`` rows: ``day``, ``rain_mm``,
    ``et0_mm``, ``kc``, ``etc_mm``, ``gdd``, ``stage``, ``leaf_wet_h``), the sprays per day (product
    names) and the day's highest risk level. The water balance (FAO-56 Eq. 85, ``wb.daily_step``)
    starts at field capacity on the first row; a day without ETc leaves the depletion unchanged and
    blank, never guessed."""
    frame = pd.DataFrame(
        list(days), columns=["day", "stage", "rain_mm", "et0_mm", "kc", "etc_mm", "gdd", "leaf_wet_h"]
    )
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    frame = frame.sort_values("day").reset_index(drop=True)
    for col in ("rain_mm", "et0_mm", "kc", "etc_mm", "gdd", "leaf_wet_h"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    frame["gdd_season"] = frame["gdd"].fillna(0.0).cumsum().where(frame["gdd"].notna())
    frame["depletion_mm"] = pd.Series(_depletion(frame, crop_key, soil), index=frame.index, dtype="float64")
    frame["sprays"] = [", ".join(sprays.get(d, ())) for d in frame["day"]]
    frame["risk"] = [risk.get(d, "") for d in frame["day"]]
    return frame[list(COLUMNS)]


def _depletion(frame: pd.DataFrame, crop_key: str, soil: wb.Soil) -> list[float | None]:
    try:
        crop = kc.get_crop(crop_key)
    except KeyError:
        return [None] * len(frame)
    if crop.paddy or crop.p is None or crop.root_depth_min_m is None:
        return [None] * len(frame)  # ponded rice: the FAO-56 depletion does not describe it (Table 22)
    taw = wb.total_available_water(soil, crop.root_depth_min_m)
    depletion = 0.0
    out: list[float | None] = []
    for etc, rain in zip(frame["etc_mm"], frame["rain_mm"], strict=True):
        if pd.isna(etc):
            out.append(None)
            continue
        raw = wb.readily_available_water(taw, wb.adjusted_depletion_fraction(crop.p, float(etc)))
        step = wb.daily_step(
            depletion,
            taw_mm=taw,
            raw_mm=raw,
            etc_mm=float(etc),
            rain_mm=0.0 if pd.isna(rain) else float(rain),
        )
        depletion = step.depletion_mm
        out.append(round(depletion, 1))
    return out


def _for_people(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Words in ``lang``: headers, risk levels, stages; numbers rounded to their column's decimals."""
    out = frame.copy()
    for col, places in DECIMALS.items():
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64").round(places)
    out["risk"] = [level_text(v).get(lang) if v else "" for v in out["risk"]]
    out["stage"] = [
        message(f"season_table.stage.{v}").get(lang) if isinstance(v, str) and v else "" for v in out["stage"]
    ]
    return out.rename(columns={c: message(f"season_table.{c}").get(lang) for c in COLUMNS})


def to_csv(frame: pd.DataFrame, lang: Lang) -> bytes:
    """CSV as the language's Excel opens it: Vietnamese Excel (and LibreOffice in vi_VN) splits on
    ``;`` and reads a decimal comma; English on ``,`` with a decimal point. UTF-8 with a BOM."""
    out = _for_people(frame, lang)
    fmt = FORMATS.get(lang) or FORMATS[DEFAULT]
    day_col = message("season_table.day").get(lang)
    out[day_col] = [d.strftime(fmt.date) for d in out[day_col]]
    # Excel takes the list separator from the locale: ";" wherever the decimal sign is a comma.
    sep, decimal = (";", ",") if fmt.decimal == "," else (",", ".")
    text = out.to_csv(sep=sep, decimal=decimal, index=False, lineterminator="\r\n")
    return (BOM + text).encode("utf-8")


def to_xlsx(frame: pd.DataFrame, lang: Lang, sheet: str) -> bytes:
    """An XLSX workbook (openpyxl) with real dates (shown dd/mm/yyyy) and numbers, headers in ``lang``."""
    out = _for_people(frame, lang)
    buf = io.BytesIO()
    fmt = FORMATS.get(lang) or FORMATS[DEFAULT]
    excel_date = fmt.date.replace("%d", "DD").replace("%m", "MM").replace("%Y", "YYYY")
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        out.to_excel(writer, sheet_name=sheet[:31], index=False)  # Excel allows 31 characters
        ws = writer.sheets[sheet[:31]]
        for cell in ws["A"][1:]:
            cell.number_format = excel_date
        for col in ws.columns:
            ws.column_dimensions[col[0].column_letter].width = max(10, min(40, len(str(col[0].value)) + 2))
    return buf.getvalue()
