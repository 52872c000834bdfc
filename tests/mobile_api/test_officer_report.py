"""Commune report as files (issue 18): per-commune and per-farm rows; CSV that Vietnamese Excel
reads (Vietnamese headers, ';', decimal comma, UTF-8 BOM); a real XLSX; a printable PDF."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from flask import Flask
from openpyxl import load_workbook

from tests.mobile_api.test_compliance_gate import pdf_text
from tests.mobile_api.test_officer_support import OFFICER, OFFICER_TAM_DUONG, login, make_app

COMMUNES = {"xã Vĩnh Tường", "xã Tam Dương", "xã Yên Lạc"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(tmp_path_factory.mktemp("officer-report"))
    yield app
    app.extensions["ruongso"].store.close()


def test_json_has_commune_and_farm_rows(app: Flask) -> None:
    body = login(app, OFFICER).get("/api/v1/officer/report").get_json()
    assert {c["commune"] for c in body["communes"]} == COMMUNES
    assert sum(c["fields"] for c in body["communes"]) == 8 and sum(c["farms"] for c in body["communes"]) == 3
    assert sum(c["farms_shared"] for c in body["communes"]) == 2  # farm 3 does not share its detail
    assert len(body["farms"]) == 2 and sum(f["fields"] for f in body["farms"]) == 6
    shared_area = sum(f["area_ha"] for f in body["farms"])
    assert shared_area < sum(c["area_ha"] for c in body["communes"])


def test_csv_reads_in_vietnamese_excel(app: Flask) -> None:
    r = login(app, OFFICER).get("/api/v1/officer/report?format=csv")
    raw = r.get_data()
    assert r.mimetype == "text/csv" and raw.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    head, body = rows[0], rows[1:]
    assert head[:4] == ["Xã", "Số hộ", "Hộ chia sẻ", "Số ruộng"] and "Diện tích (ha)" in head
    assert {row[0] for row in body} == COMMUNES
    area = [row[head.index("Diện tích (ha)")] for row in body]
    assert all("," in a and "." not in a for a in area)  # decimal comma, three decimals
    expected = login(app, OFFICER).get("/api/v1/officer/report").get_json()["communes"]
    assert sorted(float(a.replace(",", ".")) for a in area) == sorted(c["area_ha"] for c in expected)
    assert sum(int(row[head.index("Số ruộng")]) for row in body) == 8
    crops = body[0][head.index("Cây trồng")]
    assert "_" not in crops and "(" in crops  # crop names in Vietnamese with their counts


def test_csv_per_farm_and_in_english(app: Flask) -> None:
    officer = login(app, OFFICER)
    farms = officer.get("/api/v1/officer/report?format=csv&rows=farms").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(farms.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Xã", "Hộ / trang trại", "Chủ hộ"] and len(rows) == 3
    english = officer.get("/api/v1/officer/report?format=csv&lang=en").get_data(as_text=True)
    head = next(csv.reader(io.StringIO(english.lstrip("\ufeff"))))
    assert head[:2] == ["Commune", "Farms"]
    for bad in ("format=doc", "format=csv&rows=fields", "format=csv&lang=fr"):
        r = officer.get(f"/api/v1/officer/report?{bad}")
        assert r.status_code == 422 and r.get_json()["detail"]


def test_xlsx_is_a_real_workbook_with_numbers(app: Flask) -> None:
    r = login(app, OFFICER).get("/api/v1/officer/report?format=xlsx")
    assert r.status_code == 200 and r.headers["Content-Disposition"].endswith(".xlsx")
    book = load_workbook(io.BytesIO(r.get_data()))
    assert book.sheetnames == ["Theo xã", "Theo hộ (đã đồng ý chia sẻ)"]
    communes = list(book["Theo xã"].iter_rows(values_only=True))
    head = communes[0]
    assert head[0] == "Xã" and {row[0] for row in communes[1:]} == COMMUNES
    area = [row[head.index("Diện tích (ha)")] for row in communes[1:]]
    assert all(isinstance(a, float) for a in area) and sum(area) > 0  # numbers, not text
    assert len(list(book["Theo hộ (đã đồng ý chia sẻ)"].iter_rows())) == 3


def test_pdf_prints_both_tables(app: Flask) -> None:
    r = login(app, OFFICER).get("/api/v1/officer/report?format=pdf")
    body = r.get_data()
    assert r.status_code == 200 and r.mimetype == "application/pdf" and body.startswith(b"%PDF-")
    assert b"DejaVu" in body  # the Vietnamese font is embedded
    text = pdf_text(body)
    assert "Báo cáo xã từ" in text and "Theo xã" in text and "Theo hộ (đã đồng ý chia sẻ)" in text
    assert "xã Yên Lạc" in text and "Trang trại Nguyễn Văn" in text and "1,017" in text  # decimal comma
    mine = pdf_text(login(app, OFFICER_TAM_DUONG).get("/api/v1/officer/report?format=pdf").get_data())
    assert "xã Tam Dương" in mine and "xã Yên Lạc" not in mine  # an officer's own communes only
