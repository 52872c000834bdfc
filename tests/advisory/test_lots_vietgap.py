"""Lot codes (ISO/IEC 7064 MOD 37-36 check character) and the VietGAP / GLOBALG.A.P. checklist."""

from __future__ import annotations

import math
from datetime import date

import pytest

from server.advisory.lots import (
    ALPHABET,
    FALLBACK_PUC,
    MAX_LENGTH,
    SERIAL_LENGTH,
    check_character,
    issue_lot_code,
    lookup_form,
    make_lot_code,
    parse_lot_code,
)
from server.advisory.vietgap import Evidence, checklist, evaluate_checklist


def test_lot_code_format_and_round_trip() -> None:
    code = make_lot_code("vn-vp-0142", date(2026, 3, 15), "7k3m9q2xwd")
    text = str(code)
    assert text.startswith("VN-VP-0142-20260315-7K3M9Q2XWD-")
    assert len(text.rsplit("-", 1)[1]) == 1
    assert parse_lot_code(text) == code
    assert parse_lot_code(text.lower()) == code
    assert len(text) <= MAX_LENGTH


def test_check_character_catches_substitutions_and_transpositions() -> None:
    payload = "VNVP0142202603157K3M9Q2XWD"
    good = check_character(payload)
    for i, ch in enumerate(payload):
        for other in ALPHABET:
            if other != ch:
                assert check_character(payload[:i] + other + payload[i + 1 :]) != good
    for i in range(len(payload) - 1):
        a, b = payload[i], payload[i + 1]
        if a != b:
            assert check_character(payload[:i] + b + a + payload[i + 2 :]) != good


def test_issued_codes_are_unguessable_and_verify() -> None:
    """Thirteen serial characters from the CSPRNG: about 67.2 bits, where the former app codes had 24."""
    day = date(2026, 3, 15)
    codes = {str(issue_lot_code(None, day)) for _ in range(2000)}
    assert len(codes) == 2000  # a 24-bit serial would already collide here about once in 9 runs
    for text in list(codes)[:50]:
        parsed = parse_lot_code(text)
        assert parsed.puc == FALLBACK_PUC and parsed.harvest_date == day
        assert len(parsed.serial) == SERIAL_LENGTH and lookup_form(text.lower()) == text
    assert SERIAL_LENGTH * math.log2(len(ALPHABET)) >= 64
    area = issue_lot_code("VN-PTO-0123", day)
    assert str(area).startswith("VN-PTO-0123-20260315-")
    serials = {parse_lot_code(c).serial[0] for c in codes}
    assert len(serials) > 30  # every first character occurs: the serial is not a counter


def test_lookup_form_keeps_printed_codes_readable_and_rejects_typos() -> None:
    assert lookup_form(" rs261204-a1b2c3 ") == "RS261204-A1B2C3"  # the app's former scheme
    code = str(make_lot_code("RS", date(2026, 12, 4), "ABCDEFGHJK"))
    assert lookup_form(code) == code
    typo = code[:-2] + ("X" if code[-2] != "X" else "Y") + code[-1]
    assert lookup_form(typo) is None  # one wrong character: the check character catches it
    assert lookup_form("RS261204-A1B2C") is None and lookup_form("x" * 80) is None


@pytest.mark.parametrize(
    "bad",
    ["VN-VP-0142-20260315-003-0", "VN-VP-0142-20261315-003-A", "VN-VP-0142-2026031-003-A", "nonsense"],
)
def test_bad_lot_codes_rejected(bad: str) -> None:
    code = str(make_lot_code("VN-VP-0142", date(2026, 3, 15), "003"))
    if bad.startswith("VN-VP-0142-20260315-003-") and bad == code:
        pytest.skip("coincides with the valid code")
    with pytest.raises(ValueError):
        parse_lot_code(bad)


def test_lot_code_argument_checks() -> None:
    with pytest.raises(ValueError):
        make_lot_code("VN VP", date(2026, 3, 15), "ABC")
    with pytest.raises(ValueError):
        make_lot_code("VN-VP-0142", date(2026, 3, 15), "AB")
    with pytest.raises(ValueError):
        make_lot_code("VN-VP-0142", date(2026, 3, 15), "ABCDEFGHIJKLMN")  # 14: one too many


def test_checklist_items_are_bilingual_with_evidence_types() -> None:
    items = checklist()
    assert {i.evidence_type for i in items} == {"diary", "sensor", "lot", "document"}
    for item in items:
        assert item.text.get("vi") and item.text.get("en") and item.reference
    assert all("vietgap" in i.schemes for i in checklist("vietgap"))
    with pytest.raises(ValueError):
        checklist("organic")


def test_evaluator_lists_missing_items() -> None:
    empty = evaluate_checklist(Evidence(), "vietgap")
    assert empty.met_count == 0 and len(empty.missing) == len(checklist("vietgap"))
    evidence = Evidence(
        counts={"input_purchase_entries": 4, "fertiliser_entries": 2, "irrigation_days_logged": 30,
                "harvest_lots": 1, "sales_records": 0},
        flags={"training_certificates": True, "site_assessment": True, "spray_entries_complete": True,
               "lots_passed_harvest_lock": True, "containers_labelled": True, "records_kept_12_months": True},
    )  # fmt: skip
    result = evaluate_checklist(evidence, "vietgap")
    assert {r.item.item_id for r in result.missing} == {"water_test", "sales_log"}
    sales = next(r for r in result.missing if r.item.item_id == "sales_log")
    assert (sales.have, sales.need) == (0, 1)
    global_gap = evaluate_checklist(evidence, "globalgap")
    assert "traceability_drill" in {r.item.item_id for r in global_gap.missing}
