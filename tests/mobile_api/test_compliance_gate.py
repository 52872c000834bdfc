"""The one compliance gate, through the real app: the lot endpoint, the diary, the public lot page
and JSON, the PDF (its text extracted from the served bytes) and the officer report all agree.

A spray of an active banned in Vietnam (fipronil, carbofuran: MARD Decisions 501/QĐ-BNN-BVTV and
4154/QĐ-BNN-BVTV) or one not approved for the field's market is recorded with its warning, and the
lot is refused with the reason; a lot that a later catalogue makes non-compliant is flagged when
read. Codes come from the one lot-code scheme (``server.advisory.lots``).
"""

from __future__ import annotations

import re
import uuid
import zlib
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from common.timezone import local_today
from server.advisory import data_files
from server.advisory.compliance.diary import SprayEntry
from server.advisory.compliance.harvest_lock import can_create_lot
from server.advisory.lots import lookup_form, parse_lot_code
from server.farm import compliance
from server.farm.models import Lot
from tests.mobile_api.conftest import FARMER_1, FARMER_3, OFFICER, Client, login

RICE, RICE_2, TOMATO = 1, 2, 3
MONTH_AGO = local_today() - timedelta(days=30)


# --- PDF text, read from the bytes the server sent (fpdf2: Type0 fonts with a ToUnicode CMap) ---


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m[1]): m[2] for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S)}


def _stream(obj: bytes) -> bytes:
    m = re.search(rb"stream\r?\n(.*?)\r?\nendstream", obj, re.S)
    if m is None:
        return b""
    return zlib.decompress(m[1]) if b"/FlateDecode" in obj else m[1]


def _cmap(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(int(dst, 16) + i)
    return out


def _literals(ops: bytes) -> list[tuple[str, bytes]]:
    """(font, raw string) for every literal string shown, in order; tracks ``/Fn size Tf``."""
    out, font, i = [], "", 0
    while i < len(ops):
        if ops[i : i + 1] == b"/" and (m := re.match(rb"/(\w+)\s+[\d.]+\s+Tf", ops[i:])):
            font, i = m[1].decode(), i + m.end()
            continue
        if ops[i : i + 1] == b"(":
            raw, depth, i = bytearray(), 1, i + 1
            while depth:
                ch = ops[i : i + 1]
                if ch == b"\\":
                    nxt = ops[i + 1 : i + 2]
                    if nxt.isdigit():
                        m = re.match(rb"[0-7]{1,3}", ops[i + 1 :])
                        assert m is not None
                        raw.append(int(m[0], 8))
                        i += 1 + m.end()
                        continue
                    raw += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
                    i += 2
                    continue
                depth += {b"(": 1, b")": -1}.get(ch, 0)
                if depth:
                    raw += ch
                i += 1
            out.append((font, bytes(raw)))
            continue
        if ops[i : i + 2] == b"ET":
            out.append(("", b"\n"))
        i += 1
    return out


def pdf_text(pdf: bytes) -> str:
    """The text a reader sees, one line per text object, whitespace collapsed within a line."""
    objs = _objects(pdf)
    fonts: dict[str, dict[int, str]] = {}
    for m in re.finditer(rb"/(F\d+)\s+(\d+) 0 R", pdf):
        font_obj = objs.get(int(m[2]), b"")
        if (to_unicode := re.search(rb"/ToUnicode\s+(\d+) 0 R", font_obj)) is not None:
            fonts[m[1].decode()] = _cmap(_stream(objs[int(to_unicode[1])]))
    pages = [int(n) for n in re.findall(rb"/Contents\s+(\d+) 0 R", pdf)]
    text: list[str] = []
    for page in pages:
        for font, raw in _literals(_stream(objs[page])):
            if not font:
                text.append("\n")
                continue
            cmap = fonts[font]
            text.append(
                "".join(cmap.get(int.from_bytes(raw[j : j + 2], "big"), "?") for j in range(0, len(raw), 2))
            )
    return "\n".join(" ".join(line.split()) for line in "".join(text).split("\n") if line.strip())


# --- helpers -------------------------------------------------------------------------------


def spray(client: Client, field_id: int, product_id: str, day: date, phi: int = 7) -> dict[str, Any]:
    body = {"idempotency_key": uuid.uuid4().hex, "field_id": field_id, "kind": "spray",
            "product_id": product_id, "phi_days": phi, "applied_on": day.isoformat()}  # fmt: skip
    r = client.send("POST", "/api/v1/app/diary", json=body)
    assert r.status_code == 201, r.get_json()
    entry: dict[str, Any] = r.get_json()["entry"]
    return entry


def make_lot(client: Client, field_id: int, **extra: Any) -> Any:
    body = {"idempotency_key": uuid.uuid4().hex, "field_id": field_id, "quantity_kg": 500} | extra
    return client.send("POST", "/api/v1/app/lots", json=body)


def void(client: Client, entry_id: int, reason: str = "ghi nhầm ruộng") -> Any:
    return client.send("POST", f"/api/v1/app/diary/{entry_id}/void", json={"reason": reason})


def lot_count(app: Flask, field_id: int) -> int:
    with app.extensions["ruongso"].db.session() as db:
        return int(db.scalar(select(func.count()).select_from(Lot).where(Lot.field_id == field_id)) or 0)


# --- tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "active", "decision"),
    [("regent-800wg", "fipronil", "501/QĐ-BNN-BVTV"), ("furadan-3gr", "carbofuran", "4154/QĐ-BNN-BVTV")],
)
def test_a_banned_spray_is_recorded_with_its_warning_and_refuses_the_lot(
    app: Flask, farmer: Client, product: str, active: str, decision: str
) -> None:
    entry = spray(farmer, RICE, product, MONTH_AGO)
    assert {"code": "banned_vn", "active": active, "decision": decision} in entry["warnings"]
    listed = farmer.get(f"/api/v1/app/fields/{RICE}/diary").get_json()
    assert any(e["id"] == entry["id"] and e["warnings"] for e in listed["entries"])  # the truth, kept
    assert listed["harvest"]["locked"] is False  # the interval is over: only the ban stops the lot
    gate = listed["lot_gate"]
    assert gate["allowed"] is False
    assert {"code": "banned_vn", "entry_id": str(entry["id"])}.items() <= gate["reasons"][0].items()
    before = lot_count(app, RICE)
    r = make_lot(farmer, RICE)
    assert r.status_code == 409, r.get_json()
    body = r.get_json()
    assert body["code"] == "not_compliant" and active in body["detail"] and decision in body["detail"]
    reason = next(x for x in body["reasons"] if x["code"] == "banned_vn")
    assert reason["keys"] == ["gate_banned_vn"] and reason["params"]["active"] == active
    assert reason["params"]["decision"] == decision and reason["params"]["date"] == MONTH_AGO.isoformat()
    assert lot_count(app, RICE) == before
    assert void(farmer, entry["id"]).status_code == 200  # a mistaken entry: voided, then the lot is fine
    assert make_lot(farmer, RICE).status_code == 201


def test_an_active_not_approved_for_the_market_blocks_only_that_market(farmer: Client) -> None:
    """Mancozeb is permitted in Vietnam and not approved in the EU (Reg. (EU) 2020/2087)."""
    assert (
        farmer.send("PUT", f"/api/v1/app/fields/{RICE_2}/profile", json={"market": "EU"}).status_code == 200
    )
    entry = spray(farmer, RICE_2, "dithane-m45-80wp", MONTH_AGO)
    assert {"code": "not_approved", "active": "mancozeb", "market": "EU"} in entry["warnings"]
    r = make_lot(farmer, RICE_2)
    assert r.status_code == 409
    reasons = r.get_json()["reasons"]
    assert [x["code"] for x in reasons] == ["not_approved"] and reasons[0]["params"]["market"] == "EU"
    assert (
        farmer.send("PUT", f"/api/v1/app/fields/{RICE_2}/profile", json={"market": "VN"}).status_code == 200
    )
    lot = make_lot(farmer, RICE_2)
    assert lot.status_code == 201, lot.get_json()
    assert lot.get_json()["market"] == "VN"


def test_a_running_interval_still_answers_harvest_locked(farmer: Client) -> None:
    """Compatibility: a lock by interval alone keeps ``code: harvest_locked`` and ``harvest``."""
    spray(farmer, TOMATO, "antracol-70wp", local_today(), phi=7)
    r = make_lot(farmer, TOMATO)
    assert r.status_code == 409
    body = r.get_json()
    assert body["code"] == "harvest_locked" and body["harvest"]["locked"]
    assert [x["code"] for x in body["reasons"]] == ["phi_running"]
    assert body["reasons"][0]["params"]["safe_from"] == (local_today() + timedelta(days=7)).isoformat()


def test_a_lot_a_later_rule_fails_is_flagged_when_read(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Judged at read time: the catalogue removes hexaconazole after the lot was made; the public
    page, its JSON, the PDF and the officer report all flag the lot, none keeps a stale "Đạt"."""
    farmer, officer = login(app, FARMER_3), login(app, OFFICER)  # a farm no other test here touches
    field_id = farmer.get("/api/v1/app/farms").get_json()["farms"][0]["fields"][0]["id"]
    spray(farmer, field_id, "anvil-5sc", MONTH_AGO)
    r = make_lot(farmer, field_id)
    assert r.status_code == 201, r.get_json()
    code = r.get_json()["code"]
    assert parse_lot_code(code).harvest_date == local_today()  # the one scheme, check character and all
    public = app.test_client()
    assert public.get(f"/api/v1/public/lots/{code}").get_json()["compliance"]["compliant"] is True
    assert "Không đạt / Not OK" not in pdf_text(public.get(f"/lot/{code}/report.pdf").data)
    failed_before = sum(
        c["lots_not_compliant"] for c in officer.get("/api/v1/officer/report").get_json()["communes"]
    )

    hexa = data_files.load("pesticides")["actives"]["hexaconazole"]
    monkeypatch.setitem(hexa, "vn", hexa["vn"] | {"status": "banned", "decision": "99/2027/TT-BNNMT (test)"})

    data = public.get(f"/api/v1/public/lots/{code.lower()}").get_json()  # a scanner may lower-case it
    assert data["compliance"]["compliant"] is False
    assert data["compliance"]["reasons"][0]["params"]["active"] == "hexaconazole"
    page = public.get(f"/lot/{code}").get_data(as_text=True)
    assert "CẢNH BÁO: lô này không đạt yêu cầu" in page and "WARNING: this lot does not comply" in page
    assert "Anvil 5SC chứa hexaconazole" in page and "99/2027/TT-BNNMT (test)" in page
    text = pdf_text(public.get(f"/lot/{code}/report.pdf").data)
    assert "KHÔNG ĐẠT" in text and "NOT COMPLIANT" in text and "Không đạt / Not OK" in text
    assert "Anvil 5SC chứa hexaconazole" in text and "Anvil 5SC contains hexaconazole" in text
    assert "ĐẠT: không có hoạt chất cấm" not in text
    communes = officer.get("/api/v1/officer/report").get_json()["communes"]
    assert sum(c["lots_not_compliant"] for c in communes) == failed_before + 1
    monkeypatch.undo()
    assert public.get(f"/api/v1/public/lots/{code}").get_json()["compliance"]["compliant"] is True


def test_codes_already_printed_stay_readable_and_typos_are_caught(app: Flask) -> None:
    with app.extensions["ruongso"].db.session() as db:
        db.add(Lot(code="RS261101-A1B2C3", idempotency_key=uuid.uuid4().hex, field_id=TOMATO, crop="tomato",
                   market="VN", harvest_date=date(2026, 11, 1), quantity_kg=20, created_at=0))  # fmt: skip
    client = app.test_client()
    assert client.get("/lot/RS261101-A1B2C3").status_code == 200
    assert client.get("/api/v1/public/lots/rs261101-a1b2c3").get_json()["code"] == "RS261101-A1B2C3"
    farmer = login(app, FARMER_1)
    long_ago = (local_today() - timedelta(days=400)).isoformat()
    code = make_lot(farmer, RICE_2, harvest_date=long_ago).get_json()["code"]
    assert lookup_form(code) == code
    typo = code[:-3] + ("0" if code[-3] != "0" else "1") + code[-2:]
    assert client.get(f"/lot/{typo}").status_code == 404


def test_the_gate_is_the_advisory_decision_for_every_product_and_market() -> None:
    """``judge_lot`` allows exactly what ``can_create_lot`` allows — no second copy of the rules."""
    from server.advisory.compliance import catalogue

    on = date(2026, 6, 1)
    for product in catalogue.products().values():
        for market in catalogue.MARKETS:
            crop = product.crops[0] if product.crops else "rice"
            app_ = compliance.Application(
                "1", product.trade_name, product.actives, on - timedelta(days=90), 7
            )
            verdict = compliance.judge_lot([app_], crop, market, on)
            entry = SprayEntry("1", "field", crop, app_.applied_on, product.trade_name, product.actives, 7)
            assert verdict.allowed == can_create_lot([entry], "field", market, on).allowed, (product, market)
            assert verdict.allowed == (not verdict.reasons)
    assert not compliance.judge_lot(
        [compliance.Application("1", "Regent 800WG", ("fipronil",), on, 7)],
        "rice",
        "VN",
        on + timedelta(days=30),
    ).allowed


def test_every_reason_reads_in_both_languages_with_the_lock_wording() -> None:
    """Each refusal has its words in vi and en; interval refusals reuse the harvest lock's wording
    (the same keys the app's lock line uses), unknown interval included — never "0 days"."""
    from mobile_api.catalogues import catalogue as strings

    vi, en = strings("vi"), strings("en")
    for keys in compliance.REASON_KEYS.values():
        for key in keys:
            assert key in vi and key in en, key
    on = date(2026, 6, 10)
    running = compliance.judge_lot(
        [compliance.Application("7", "Score 250EC", ("difenoconazole",), date(2026, 6, 5), 14)],
        "tomato",
        "VN",
        on,
    )
    assert [r.code for r in running.reasons] == ["phi_running"]
    assert compliance.reason_text(running.reasons[0], vi) == (
        "Chưa được thu hoạch — an toàn từ 19/06/2026 — "
        "Đã phun Score 250EC ngày 05/06/2026, thời gian cách ly 14 ngày."
    )
    unknown = compliance.judge_lot(
        [compliance.Application("8", "Thuốc lạ", ("no-such-active",), date(2026, 6, 5), None)],
        "tomato",
        "VN",
        on,
    )
    assert [r.code for r in unknown.reasons] == ["phi_unknown"]
    text_en = compliance.reason_text(unknown.reasons[0], en)
    assert text_en.startswith(
        "Do not harvest — pre-harvest interval unknown — Thuốc lạ sprayed on 05/06/2026"
    )
    assert "0 days" not in text_en
    eu = compliance.judge_lot(
        [compliance.Application("9", "Dithane M-45 80WP", ("mancozeb",), date(2026, 4, 1), 7)],
        "tomato",
        "EU",
        on,
    )
    assert compliance.reason_text(eu.reasons[0], vi) == (
        "Dithane M-45 80WP chứa mancozeb, không được phép ở thị trường châu Âu (EU); phun ngày 01/04/2026."
    )
