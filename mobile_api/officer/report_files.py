"""The commune report as files an officer hands on: CSV for Vietnamese Excel, XLSX and a printable PDF.

Vietnamese Excel reads a CSV with the Windows list separator of the vi-VN locale (``;``) and the
decimal comma, so a comma-decimal "1,017" is one hectare and a bit, not 1017; the UTF-8 byte order
mark makes it read the file as UTF-8 instead of the ANSI code page. Headers and crop names come
from the officer app's catalogue (``mobile_api.catalogues``: officer/i18n plus the crop table), in
the requested language. The XLSX holds real numbers (Excel formats them for its locale) on two
sheets, communes and farms; the PDF (fpdf2, DejaVu for Vietnamese, as the lot report) both tables.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response
from fpdf import FPDF
from openpyxl import Workbook

from common.language import DEFAULT, format_date
from common.language import FORMATS as NUMBER_FORMATS
from common.timezone import local_date
from mobile_api.catalogues import catalogue
from server.errors import problem
from server.farm.lot_report import FONTS, fonts_available

FORMATS = ("csv", "xlsx", "pdf")
CSV_SEPARATOR = {"vi": ";", "en": ","}  # the list separator Excel uses in each locale
DECIMALS = {"area_ha": 3}  # every other column is a count
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

Cell = str | int | float


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    headers: list[str]
    rows: list[list[Cell]]  # numbers stay numbers; the file format decides how to write them


@dataclass(frozen=True)
class Tables:
    communes: Table
    farms: Table
    title: str


def _crops(crops: dict[str, int], words: dict[str, str]) -> str:
    return ", ".join(f"{words.get(f'crop_{k}', k)} ({n})" for k, n in sorted(crops.items()))


def table(rows: Sequence[dict[str, Any]], columns: tuple[str, ...], lang: str) -> Table:
    words = catalogue(lang, "officer")
    headers = [words.get(f"col_{c}", c) for c in columns]
    out: list[list[Cell]] = []
    for row in rows:
        out.append([_crops(row[c], words) if c == "crops" else row.get(c, "") for c in columns])
    return Table(columns, headers, out)


def title(data: dict[str, Any], lang: str) -> str:
    words = catalogue(lang, "officer")
    days = {k: format_date(local_date(data[k]), lang) for k in ("since", "until")}
    return words["report_title"].replace("{from}", days["since"]).replace("{to}", days["until"])


def text(value: Cell, column: str, lang: str) -> str:
    """A cell as the language writes it: decimal comma in Vietnamese, no thousands separator in a
    CSV (Excel would read "1.234" as a decimal in an English locale)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    plain = f"{value:.{DECIMALS.get(column, 0)}f}"
    return plain.replace(".", NUMBER_FORMATS.get(lang, NUMBER_FORMATS[DEFAULT]).decimal)


def csv_bytes(t: Table, lang: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=CSV_SEPARATOR.get(lang, ";"), lineterminator="\r\n")
    writer.writerow(t.headers)
    for row in t.rows:
        writer.writerow([text(v, c, lang) for v, c in zip(row, t.columns, strict=True)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(tables: Tables, lang: str) -> bytes:
    words = catalogue(lang, "officer")
    book = Workbook()
    first = book.active
    assert first is not None  # a new workbook always has one sheet
    book.remove(first)
    for name, t in ((words["sheet_communes"], tables.communes), (words["sheet_farms"], tables.farms)):
        sheet = book.create_sheet(name[:31])  # Excel's sheet-name limit
        sheet.append(t.headers)
        for row in t.rows:
            sheet.append(row)
        for i, column in enumerate(t.columns, start=1):
            if column in DECIMALS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = "0." + "0" * DECIMALS[column]
            width = max([len(str(t.headers[i - 1]))] + [len(str(r[i - 1])) for r in t.rows])
            sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(40, width + 2)
        sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _pdf_table(pdf: FPDF, t: Table, lang: str) -> None:
    widths = [(3.0 if c in ("commune", "farm", "owner", "crops") else 1.0) for c in t.columns]
    scale = (pdf.w - pdf.l_margin - pdf.r_margin) / sum(widths)
    pdf.set_font("DejaVu", "", 7)
    with pdf.table(col_widths=[w * scale for w in widths], text_align="LEFT", line_height=4) as grid:
        head = grid.row()
        for h in t.headers:
            head.cell(h)
        for row in t.rows:
            r = grid.row()
            for v, c in zip(row, t.columns, strict=True):
                r.cell(text(v, c, lang))


def pdf_bytes(tables: Tables, lang: str) -> bytes:
    words = catalogue(lang, "officer")
    pdf = FPDF(orientation="L", format="A4")
    for style, path in FONTS.items():
        pdf.add_font("DejaVu", style, str(path))
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, tables.title, new_x="LMARGIN", new_y="NEXT")
    for heading, t in ((words["sheet_communes"], tables.communes), (words["sheet_farms"], tables.farms)):
        pdf.set_font("DejaVu", "B", 10)
        pdf.ln(3)
        pdf.cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        if t.rows:
            _pdf_table(pdf, t, lang)
        else:
            pdf.set_font("DejaVu", "", 9)
            pdf.cell(0, 6, words["report_no_rows"], new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def respond(fmt: str, tables: Tables, rows: str, lang: str) -> Response:
    """The report as a download in ``fmt`` (one of ``FORMATS``)."""
    name = "bao-cao-xa" if rows == "communes" else "bao-cao-ho"
    if fmt == "csv":
        body = csv_bytes(tables.communes if rows == "communes" else tables.farms, lang)
    elif fmt == "xlsx":
        body, name = xlsx_bytes(tables, lang), "bao-cao-xa"
    else:
        if not fonts_available():
            return problem(503, "PDF fonts missing", "Install the Debian package fonts-dejavu-core")
        body, name = pdf_bytes(tables, lang), "bao-cao-xa"
    return Response(
        body, mimetype=MIME[fmt], headers={"Content-Disposition": f"attachment; filename={name}.{fmt}"}
    )
