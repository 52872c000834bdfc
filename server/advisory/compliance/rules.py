"""Checks of a diary entry against Vietnamese law and the target market.

Findings have a stable code, a severity ("error" blocks a lot for that market, "warning" does
not) and bilingual text that names the legal source (e.g. MARD Decision 501/QĐ-BNN-BVTV).
"""

from __future__ import annotations

from dataclasses import dataclass

from server.advisory.compliance import catalogue
from server.advisory.compliance.diary import SprayEntry
from server.advisory.i18n import Text, format_number

UNVERIFIED = (" (chưa kiểm chứng)", " (unverified)")


@dataclass(frozen=True)
class Finding:
    """One problem with an entry."""

    code: str
    severity: str
    entry_id: str
    active: str | None
    market: str
    text: Text
    source: str


def check_entry(entry: SprayEntry, market: str) -> list[Finding]:
    """Findings for one diary entry and one market ("VN" = domestic / VietGAP)."""
    if market not in catalogue.MARKETS:
        raise ValueError(f"unknown market {market!r}; known: {', '.join(catalogue.MARKETS)}")
    findings: list[Finding] = []
    actives = entry.resolved_actives()
    if not actives:
        findings.append(
            Finding(
                "unknown_product",
                "error",
                entry.entry_id,
                None,
                market,
                Text(
                    "compliance.unknown_product",
                    f"Không xác định được hoạt chất của '{entry.product}'; hãy ghi hoạt chất theo nhãn.",
                    f"Active ingredients of '{entry.product}' are unknown; record them from the label.",
                ),
                "diary",
            )
        )
    for active in actives:
        name = catalogue.active_name(active)
        vn = catalogue.vietnam_status(active)
        if vn.prohibited:
            vi_u, en_u = ("", "") if vn.verified else UNVERIFIED
            kind_vi = "bị loại khỏi danh mục được phép" if vn.status == "removed" else "bị cấm"
            kind_en = "removed from the permitted list" if vn.status == "removed" else "banned"
            findings.append(
                Finding(
                    "banned_in_vietnam",
                    "error",
                    entry.entry_id,
                    active,
                    market,
                    Text(
                        "compliance.banned_in_vietnam",
                        f"Hoạt chất {name} {kind_vi} ở Việt Nam theo {vn.decision}{vi_u}.",
                        f"{name} is {kind_en} in Vietnam by {vn.decision}{en_u}.",
                        {"active": active, "decision": vn.decision or ""},
                    ),
                    vn.source,
                )
            )
        elif vn.status == "unknown":
            findings.append(
                Finding(
                    "unknown_active",
                    "warning",
                    entry.entry_id,
                    active,
                    market,
                    Text(
                        "compliance.unknown_active",
                        f"Hoạt chất {name} chưa có trong danh mục; kiểm tra đăng ký và giới hạn dư lượng.",
                        f"{name} is not in the catalogue; check its registration and residue limits.",
                    ),
                    "catalogue",
                )
            )
        if market == "VN":
            continue
        ms = catalogue.market_status(active, market)
        market_vi, market_en = catalogue.market_name(market, "vi"), catalogue.market_name(market, "en")
        if ms.status == "not_approved":
            vi_u, en_u = ("", "") if ms.verified else UNVERIFIED
            act = f" ({ms.act})" if ms.act else ""
            findings.append(
                Finding(
                    "not_approved_for_market",
                    "error",
                    entry.entry_id,
                    active,
                    market,
                    Text(
                        "compliance.not_approved_for_market",
                        f"{name} không được phép ở thị trường {market_vi}{act}{vi_u}; "
                        "dư lượng phải dưới ngưỡng phát hiện.",
                        f"{name} is not approved for {market_en}{act}{en_u}; "
                        "residues must be below the limit of determination.",
                        {"active": active, "market": market},
                    ),
                    ms.source,
                )
            )
        elif ms.status == "unknown":
            mrl, mrl_source = catalogue.default_mrl(market)
            default_vi = default_en = ""
            if mrl is not None:
                default_vi = (
                    f" Nếu không có MRL riêng, áp dụng mức mặc định {format_number(mrl, 2, 'vi')} mg/kg."
                )
                default_en = (
                    f" Without a specific MRL the default {format_number(mrl, 2, 'en')} mg/kg applies."
                )
            findings.append(
                Finding(
                    "market_status_unknown",
                    "warning",
                    entry.entry_id,
                    active,
                    market,
                    Text(
                        "compliance.market_status_unknown",
                        f"Chưa rõ tình trạng của {name} ở thị trường {market_vi}.{default_vi}",
                        f"Status of {name} for {market_en} is unknown.{default_en}",
                    ),
                    mrl_source,
                )
            )
    return findings
