"""The pesticide catalogue versioned by legal act: each spray and each lot judged by the list in force
on its day (09/2023/TT-BNNPTNT -> 25/2024/TT-BNNPTNT -> 75/2025/TT-BNNMT, in force 10/02/2026), the
data fixes of issue 17 and product PHIs per crop for the diary's spray form."""

from __future__ import annotations

from datetime import date

import pytest

from server.advisory.compliance import catalogue
from server.advisory.compliance.diary import SprayEntry
from server.advisory.compliance.rules import check_entry
from server.farm import compliance


def test_the_acts_and_their_effective_dates() -> None:
    acts = catalogue.acts()
    assert [a.act_id for a in acts] == ["09/2023/TT-BNNPTNT", "25/2024/TT-BNNPTNT", "75/2025/TT-BNNMT"]
    newest = catalogue.latest_act()
    assert newest.signed == date(2025, 12, 26) and newest.in_force == date(2026, 2, 10)
    assert newest.issuer["vi"] == "Bộ Nông nghiệp và Môi trường"
    assert newest.issuer["en"] == "Ministry of Agriculture and Environment"
    assert newest.replaces == "25/2024/TT-BNNPTNT"
    assert "not available" in newest.content_in_catalogue  # the annexes were not retrieved: said so
    assert acts[0].in_force == date(2023, 12, 8)
    assert not acts[1].in_force_verified  # "from 01/2025": the day itself is not known


@pytest.mark.parametrize(
    ("day", "act"),
    [
        (date(2022, 5, 1), "09/2023/TT-BNNPTNT"),  # before the catalogue's first act: the first act
        (date(2024, 12, 31), "09/2023/TT-BNNPTNT"),
        (date(2025, 1, 1), "25/2024/TT-BNNPTNT"),
        (date(2026, 2, 9), "25/2024/TT-BNNPTNT"),
        (date(2026, 2, 10), "75/2025/TT-BNNMT"),
    ],
)
def test_act_in_force_on_a_day(day: date, act: str) -> None:
    assert catalogue.act_in_force(day).act_id == act
    assert catalogue.vietnam_status("mancozeb", day).act == act


def _spray(day: date, active: str, crop: str = "tomato") -> SprayEntry:
    return SprayEntry("e1", "F1", crop, day, None, (active,), 7)


def test_glyphosate_last_day_of_use_is_30_june_2021() -> None:
    """Circular 06/2020/TT-BNNPTNT extended use from 10/06/2020 to 30/06/2021."""
    status = catalogue.vietnam_status("glyphosate")
    assert status.use_until == "2021-06-30" and status.decision == "1186/QĐ-BNN-BVTV"
    assert "06/2020/TT-BNNPTNT" in status.source
    assert not [
        f for f in check_entry(_spray(date(2021, 6, 30), "glyphosate"), "VN") if f.severity == "error"
    ]
    late = [f for f in check_entry(_spray(date(2021, 7, 1), "glyphosate"), "VN") if f.severity == "error"]
    assert [f.code for f in late] == ["banned_in_vietnam"]
    assert late[0].act == "09/2023/TT-BNNPTNT"


@pytest.mark.parametrize(
    ("active", "status", "act_part"),
    [
        ("benomyl", "not_approved", "2002/928/EC"),
        ("2,4-D", "approved", "2015/2033"),
        ("paraquat", "not_approved", "T-229/04"),
        ("clothianidin", "not_approved", "2018/784"),
    ],
)
def test_eu_status_with_its_act(active: str, status: str, act_part: str) -> None:
    eu = catalogue.market_status(active, "EU")
    assert eu.status == status and eu.act is not None and act_part in eu.act and eu.source


def test_clothianidin_is_known_but_its_vietnamese_status_is_not_claimed() -> None:
    assert catalogue.known_active("Clothianidin")
    vn = catalogue.vietnam_status("clothianidin", date(2026, 3, 1))
    assert vn.status == "unknown" and not vn.verified
    [finding] = check_entry(_spray(date(2026, 3, 1), "clothianidin"), "VN")
    assert finding.severity == "warning" and "75/2025/TT-BNNMT" in finding.text.get("vi")
    eu = check_entry(_spray(date(2026, 3, 1), "clothianidin"), "EU")
    assert "not_approved_for_market" in [f.code for f in eu if f.severity == "error"]


def test_a_lot_names_the_act_of_its_harvest_day_and_each_spray_the_act_of_its_own() -> None:
    spray = compliance.Application(
        "7", "Gramoxone 20SL", ["paraquat"], date(2026, 1, 20), 7, "gramoxone-20sl"
    )
    verdict = compliance.judge_lot([spray], "maize", "VN", date(2026, 3, 1))
    assert not verdict.allowed and verdict.act == "75/2025/TT-BNNMT"
    assert verdict.as_json()["act"] == "75/2025/TT-BNNMT"
    [banned] = [r for r in verdict.reasons if r.code == "banned_vn"]
    assert banned.params["act"] == "25/2024/TT-BNNPTNT"  # sprayed before 10/02/2026
    assert banned.params["decision"] == "278/QĐ-BNN-BVTV"


def test_products_fill_in_their_phi_per_crop_for_the_spray_form() -> None:
    """The diary's spray form pre-fills ``phi_days``; only sourced PHIs are given, else None."""
    rows = {p["id"]: p for p in compliance.products("citrus", "US")}
    confidor, vertimec = rows["confidor-100sl"], rows["vertimec-1-8ec"]
    assert confidor["phi_days"] == 0 and "Admire Pro" in confidor["phi_source"]  # UC IPM citrus guideline
    assert vertimec["phi_days"] == 7 and vertimec["phi_by_crop"]["citrus"] == 7
    assert vertimec["phi_by_crop"]["tomato"] is None  # no sourced PHI: the farmer types the label's
    assert rows["lorsban-40ec"]["phi_days"] == 35
    domestic = {p["id"]: p for p in compliance.products("citrus", "VN")}
    assert domestic["confidor-100sl"]["phi_days"] is None  # US-label PHIs are not Vietnamese ones
