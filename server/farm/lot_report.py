"""Printable, bilingual (Vietnamese first) PDF of a lot's compliance evidence, built with fpdf2.

Rendering only: the caller passes a ``LotReport`` that holds nothing private (no names, phone
numbers or polygon), so the PDF can be handed to a buyer or printed on the packing-house wall.
Fonts are DejaVu (Debian ``fonts-dejavu-core``) because the PDF core fonts lack Vietnamese.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import qrcode
from fpdf import FPDF

from common.language import LANGS, format_number
from server.farm.lot_report_model import CheckRow, LotReport, SprayRow

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
GREEN, RED, GREY = (26, 110, 50), (170, 30, 30), (90, 90, 90)
VERDICT = {  # under the spray table: every row "Đạt / OK", or not
    True: "Mọi lần phun đều đạt vào ngày thu hoạch / Every spray passes on the harvest date",
    False: "Có lần phun không đạt vào ngày thu hoạch / A spray fails on the harvest date",
}
# The lot as a whole, from the compliance gate (server.farm.compliance.judge_lot), judged when the
# PDF is made; printed right under the code so nobody reads "Đạt" for a lot that fails.
LOT_OK = (
    "ĐẠT: không có hoạt chất cấm hay không được phép, mọi thời gian cách ly đã hết",
    "COMPLIANT: no banned or unapproved active, every pre-harvest interval ended",
)
LOT_FAILED = (
    "KHÔNG ĐẠT: lô này không đáp ứng quy định cho thị trường của lô",
    "NOT COMPLIANT: this lot does not meet the rules for its market",
)


def fonts_available() -> bool:
    return all(p.is_file() for p in FONTS.values())


def _day(d: date | None) -> str:
    """dd/mm/yyyy, as the app and the public lot page show dates in both languages."""
    return d.strftime("%d/%m/%Y") if d else "?"


def _both(value: float, decimals: int, unit: str) -> str:
    """Vietnamese then English separators, as on the public lot page: "1.250 kg / 1,250 kg"."""
    return " / ".join(f"{format_number(value, decimals, g)} {unit}" for g in LANGS)


def _qr_png(url: str) -> bytes:
    buf = io.BytesIO()
    qrcode.make(url, box_size=8, border=2).save(buf, format="PNG")
    return buf.getvalue()


def _kv(pdf: FPDF, vi: str, en: str, value: str) -> None:
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(75, 6, f"{vi} / {en}")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, vi: str, en: str) -> None:
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 7, vi, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(*GREY)
    pdf.cell(0, 5, en, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _sprays(pdf: FPDF, rows: tuple[SprayRow, ...]) -> None:
    if not rows:
        pdf.cell(0, 6, "Không có lần phun nào / No sprays recorded", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font("DejaVu", "", 8)
    widths = (36, 42, 22, 20, 25, 35)
    with pdf.table(col_widths=widths, line_height=5, text_align="LEFT") as table:
        table.row(
            ("Thuốc\nProduct", "Hoạt chất\nActives", "Ngày phun\nApplied", "PHI\nngày/days",
             "An toàn từ\nSafe from", "Ngày thu hoạch\nOn harvest")
        )  # fmt: skip
        for r in rows:
            verdict = "Đạt / OK" if r.ok else "Không đạt / Not OK"
            table.row(
                (r.product, ", ".join(r.actives) or "—", _day(r.applied_on),
                 "?" if r.phi_days is None else str(r.phi_days),
                 _day(r.safe_from), verdict)
            )  # fmt: skip
    pdf.set_font("DejaVu", "B", 9)
    ok = all(r.ok for r in rows)
    pdf.set_text_color(*(GREEN if ok else RED))
    pdf.cell(0, 7, VERDICT[ok], new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _verdict(pdf: FPDF, report: LotReport) -> None:
    """The gate's verdict on the lot, with every reason in Vietnamese then English."""
    pdf.ln(2)
    pdf.set_text_color(*(GREEN if report.compliant else RED))
    pdf.set_font("DejaVu", "B", 11)
    vi, en = LOT_OK if report.compliant else LOT_FAILED
    pdf.multi_cell(0, 6, vi, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(0, 5, en, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for reason_vi, reason_en in report.problems:
        pdf.multi_cell(0, 5, f"• {reason_vi}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*GREY)
        pdf.multi_cell(0, 5, f"  {reason_en}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*RED)
    pdf.set_text_color(0, 0, 0)


def _checklist(pdf: FPDF, rows: tuple[CheckRow, ...]) -> None:
    met = sum(1 for r in rows if r.status == "met")
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 6, f"Đạt {met}/{len(rows)} mục · {met}/{len(rows)} items met", new_x="LMARGIN", new_y="NEXT")
    marks = {"met": ("✓ Đạt / Met", GREEN), "partial": ("◐ Một phần / Partial", GREY)}
    for r in rows:
        label, colour = marks.get(r.status, ("✗ Thiếu / Missing", RED))
        pdf.set_font("DejaVu", "B", 8)
        pdf.set_text_color(*colour)
        pdf.cell(34, 5, label)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(0, 4, "\n".join(r.texts), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)


def build_pdf(report: LotReport, compress: bool = True) -> bytes:
    """The report as PDF bytes; raises FileNotFoundError without the DejaVu fonts."""
    if not fonts_available():
        raise FileNotFoundError("install the Debian package fonts-dejavu-core")
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(f"Lot {report.code}")
    pdf.set_margins(15, 15, 15)
    for style, path in FONTS.items():
        pdf.add_font("DejaVu", style, str(path))
    pdf.add_page()
    pdf.image(_qr_png(report.public_url), x=165, y=12, w=30)
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(145, 8, "Hồ sơ lô thu hoạch", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(145, 6, "Harvest lot compliance report", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(145, 9, report.code, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    qty = "—" if report.quantity_kg is None else _both(report.quantity_kg, 0, "kg")
    _kv(pdf, "Cây trồng", "Crop", f"{report.crop[0]} / {report.crop[1]}")
    sao, ha = report.area_sao, report.area_ha
    area = [f"{format_number(sao, 2, g)} sào · {format_number(ha, 4, g)} ha" for g in LANGS]
    _kv(pdf, "Diện tích ruộng", "Field area", " / ".join(area))
    _kv(pdf, "Mã số vùng trồng", "Growing-area code", report.growing_area_code or "chưa có / none yet")
    _kv(pdf, "Ngày thu hoạch", "Harvest date", _day(report.harvest_date))
    _kv(pdf, "Thị trường", "Market", f"{report.market[0]} / {report.market[1]}")
    _kv(pdf, "Khối lượng", "Quantity", qty)
    _kv(pdf, "Nơi sản xuất", "Place", report.place)
    _verdict(pdf, report)
    _heading(pdf, "Nhật ký phun thuốc và thời gian cách ly (PHI)", "Spray log vs pre-harvest interval")
    _sprays(pdf, report.sprays)
    _heading(pdf, "Tự đánh giá hồ sơ VietGAP", "VietGAP record self-assessment")
    _checklist(pdf, report.checklist)
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(*GREY)
    pdf.cell(0, 4, f"Trang công khai / Public page: {report.public_url}", link=report.public_url)
    return bytes(pdf.output())
