"""Pesticide catalogue, diary checks, harvest lock and treatment filtering."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from server.advisory import data_files
from server.advisory.compliance import catalogue, fertilisers
from server.advisory.compliance.diary import SprayEntry
from server.advisory.compliance.harvest_lock import can_create_lot, entry_phi, harvest_lock
from server.advisory.compliance.rules import check_entry
from server.advisory.compliance.treatments import suggest_products

SPRAY_DAY = date(2026, 3, 1)


def test_catalogue_is_versioned_and_every_fact_has_a_source() -> None:
    raw = data_files.load("pesticides")
    assert raw["version"]
    for key, active in raw["actives"].items():
        assert active["vn"]["source"], key
        for market in active["markets"].values():
            assert market["source"], key
        for phi in active["phi"]:
            assert phi["source"], key
    for product in raw["products"]:
        assert product["source"] and product["actives"]
        for active in product["actives"]:
            assert catalogue.known_active(active), active
    assert catalogue.default_mrl("EU")[0] == 0.01
    assert "396/2005" in catalogue.default_mrl("EU")[1]


def test_vietnam_removed_list_with_decision_numbers() -> None:
    expected = {
        "carbendazim": "03/QĐ-BNN-BVTV",
        "paraquat": "278/QĐ-BNN-BVTV",
        "carbofuran": "4154/QĐ-BNN-BVTV",
        "acephate": "3435/QĐ-BNN-BVTV",
        "chlorpyrifos": "501/QĐ-BNN-BVTV",
        "fipronil": "501/QĐ-BNN-BVTV",
        "glyphosate": "1186/QĐ-BNN-BVTV",
    }
    for active, decision in expected.items():
        status = catalogue.vietnam_status(active)
        assert status.prohibited and status.decision == decision and status.verified
    assert catalogue.normalise_active("Chlorpyrifos Ethyl") == "chlorpyrifos"
    assert not catalogue.vietnam_status("azoxystrobin").prohibited


def test_banned_active_in_diary() -> None:
    entry = SprayEntry("e1", "F1", "rice", SPRAY_DAY, product="Regent 800WG", label_phi_days=7)
    findings = check_entry(entry, "VN")
    banned = [f for f in findings if f.code == "banned_in_vietnam"]
    assert banned and banned[0].severity == "error" and banned[0].active == "fipronil"
    assert "501/QĐ-BNN-BVTV" in banned[0].text.get("vi") and "501/QĐ-BNN-BVTV" in banned[0].text.get("en")
    decision = can_create_lot([entry], "F1", "VN", SPRAY_DAY + timedelta(days=30))
    assert not decision.allowed and "banned_in_vietnam" in decision.codes


def test_not_approved_for_eu_but_fine_domestically() -> None:
    entry = SprayEntry("e2", "F1", "tomato", SPRAY_DAY, actives=("mancozeb",), label_phi_days=7)
    eu = check_entry(entry, "EU")
    assert [f.code for f in eu] == ["not_approved_for_market"]
    assert "2020/2087" in eu[0].text.get("en")
    assert check_entry(entry, "VN") == []
    later = SPRAY_DAY + timedelta(days=10)
    assert can_create_lot([entry], "F1", "VN", later).allowed
    assert not can_create_lot([entry], "F1", "EU", later).allowed


def test_market_status_unknown_is_a_warning_with_default_mrl() -> None:
    entry = SprayEntry("e3", "F1", "tomato", SPRAY_DAY, actives=("difenoconazole",), label_phi_days=7)
    us = check_entry(entry, "US")
    assert [(f.code, f.severity) for f in us] == [("market_status_unknown", "warning")]
    jp = check_entry(entry, "JP")
    assert "0,01 mg/kg" in jp[0].text.get("vi") and "0.01 mg/kg" in jp[0].text.get("en")


def test_unknown_product_and_active() -> None:
    entry = SprayEntry("e4", "F1", "tomato", SPRAY_DAY, product="Thuốc lạ 10EC")
    assert [f.code for f in check_entry(entry, "VN")] == ["unknown_product"]
    odd = SprayEntry("e5", "F1", "tomato", SPRAY_DAY, actives=("unobtainium",), label_phi_days=3)
    assert [f.code for f in check_entry(odd, "VN")] == ["unknown_active"]
    with pytest.raises(ValueError):
        check_entry(odd, "XX")


def test_lot_one_day_before_phi_end_refused_and_allowed_on_the_day() -> None:
    entries = [
        SprayEntry("e6", "F1", "tomato", SPRAY_DAY, product="Score 250EC", label_phi_days=7),
        SprayEntry(
            "e7", "F1", "tomato", SPRAY_DAY + timedelta(days=3), product="Score 250EC", label_phi_days=7
        ),
        SprayEntry(
            "e8", "F2", "tomato", SPRAY_DAY + timedelta(days=20), product="Score 250EC", label_phi_days=7
        ),
    ]
    lock = harvest_lock(entries, "F1", "VN")
    assert lock.earliest_harvest == date(2026, 3, 11)  # 4 March + 7 days; F2's entry ignored
    assert lock.binding_entry_id == "e7"
    before = can_create_lot(entries, "F1", "VN", date(2026, 3, 10))
    assert not before.allowed and before.codes == ("phi_not_elapsed",)
    assert "11/03/2026" in before.reasons[0].get("vi") and "2026-03-11" in before.reasons[0].get("en")
    assert can_create_lot(entries, "F1", "VN", date(2026, 3, 11)).allowed


def test_unknown_phi_blocks_lot() -> None:
    entries = [SprayEntry("e9", "F1", "tomato", SPRAY_DAY, product="Score 250EC")]
    lock = harvest_lock(entries, "F1", "VN")
    assert lock.earliest_harvest is None and lock.unknown_phi_entries == ("e9",)
    decision = can_create_lot(entries, "F1", "VN", SPRAY_DAY + timedelta(days=60))
    assert not decision.allowed and decision.codes == ("phi_unknown",)


def test_market_specific_stricter_phi() -> None:
    # Permethrin on potato: US label PHI 7 d (Mississippi State extension); diary label says 3 d.
    entry = SprayEntry("e10", "F1", "potato", SPRAY_DAY, actives=("permethrin",), label_phi_days=3)
    assert entry_phi(entry, "VN").phi_days == 3
    us = entry_phi(entry, "US")
    assert us.phi_days == 7 and "Mississippi" in us.source
    # Carbendazim: Vietnamese labels 7-14 d, catalogue keeps the upper bound for every market.
    carb = SprayEntry("e11", "F1", "chili", SPRAY_DAY, actives=("carbendazim",), label_phi_days=7)
    assert entry_phi(carb, "VN").phi_days == 14


def test_treatment_suggestions_never_include_banned_or_unapproved() -> None:
    blast_vn = {s.trade_name for s in suggest_products("rice_blast", "rice", "VN")}
    assert "Bavistin 50FL" not in blast_vn  # carbendazim, removed in Vietnam
    assert "Beam 75WP" in blast_vn
    blast_eu = {s.trade_name for s in suggest_products("rice_blast", "rice", "EU")}
    assert "Beam 75WP" not in blast_eu  # tricyclazole not approved in the EU
    for market in catalogue.MARKETS:
        for target in ("rice_blast", "late_blight", "stem_borer", "planthopper", "weeds", "downy_mildew"):
            for crop in ("rice", "tomato", "cucumber", "potato"):
                for s in suggest_products(target, crop, market):
                    for active in s.actives:
                        assert not catalogue.vietnam_status(active).prohibited
                        assert catalogue.market_status(active, market).status != "not_approved"
    late_blight_eu = suggest_products("late_blight", "tomato", "EU")
    assert all("mancozeb" not in s.actives for s in late_blight_eu)


def test_fertiliser_catalogue_is_sourced_and_apart_from_pesticides() -> None:
    """'Bón phân' offers these; none is a pesticide, every grade is possible and cites its source."""
    raw = data_files.load("fertilisers")
    assert raw["version"] and any("84/2019/NĐ-CP" in s for s in raw["legal_sources"])
    ferts = fertilisers.fertilisers()
    assert len(ferts) == len(raw["fertilisers"]) >= 8  # ids are unique
    assert not set(ferts) & set(catalogue.products())
    assert not {f.names["vi"].casefold() for f in ferts.values()} & {
        p.trade_name.casefold() for p in catalogue.products().values()
    }
    for f in ferts.values():
        assert f.source and all(f.names.get(g) for g in ("vi", "en")) and f.type
        if f.grade is not None:
            assert 0 < sum(f.grade) <= 100, f
    # Urea CO(NH2)2: 2 N of 14.007 in 60.056 g/mol = 46.6 % N; the listed grade may not exceed it.
    urea = ferts["urea"]
    assert urea.grade is not None and urea.grade[0] <= 2 * 14.007 / 60.056 * 100
    # Potassium chloride: K2O equivalent of pure KCl is 94.196 / (2 * 74.551) = 63.2 %.
    kcl = ferts["kali-clorua"]
    assert kcl.grade is not None and kcl.grade[2] <= 94.196 / (2 * 74.551) * 100
