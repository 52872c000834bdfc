"""Lot codes (ISO/IEC 7064 MOD 37-36 check character) and the VietGAP / GLOBALG.A.P. checklist."""

from __future__ import annotations

from datetime import date

import pytest

from server.advisory.lots import ALPHABET, check_character, make_lot_code, parse_lot_code
from server.advisory.vietgap import Evidence, checklist, evaluate_checklist


def test_lot_code_format_and_round_trip() -> None:
    code = make_lot_code("vn-vp-0142", date(2026, 3, 15), 3)
    text = str(code)
    assert text.startswith("VN-VP-0142-20260315-003-")
    assert len(text.rsplit("-", 1)[1]) == 1
    assert parse_lot_code(text) == code
    assert parse_lot_code(text.lower()) == code


def test_check_character_catches_substitutions_and_transpositions() -> None:
    payload = "VNVP014220260315003"
    good = check_character(payload)
    for i, ch in enumerate(payload):
        for other in ALPHABET:
            if other != ch:
                assert check_character(payload[:i] + other + payload[i + 1 :]) != good
    for i in range(len(payload) - 1):
        a, b = payload[i], payload[i + 1]
        if a != b:
            assert check_character(payload[:i] + b + a + payload[i + 2 :]) != good


@pytest.mark.parametrize(
    "bad",
    ["VN-VP-0142-20260315-003-0", "VN-VP-0142-20261315-003-A", "VN-VP-0142-2026031-003-A", "nonsense"],
)
def test_bad_lot_codes_rejected(bad: str) -> None:
    code = str(make_lot_code("VN-VP-0142", date(2026, 3, 15), 3))
    if bad.startswith("VN-VP-0142-20260315-003-") and bad == code:
        pytest.skip("coincides with the valid code")
    with pytest.raises(ValueError):
        parse_lot_code(bad)


def test_lot_code_argument_checks() -> None:
    with pytest.raises(ValueError):
        make_lot_code("VN VP", date(2026, 3, 15), 1)
    with pytest.raises(ValueError):
        make_lot_code("VN-VP-0142", date(2026, 3, 15), 1000)


def test_checklist_items_are_bilingual_with_evidence_types() -> None:
    items = checklist()
    assert {i.evidence_type for i in items} == {"diary", "sensor", "lot", "document"}
    for item in items:
        assert item.text.vi and item.text.en and item.reference
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
