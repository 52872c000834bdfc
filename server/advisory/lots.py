"""Harvest lot codes: ``<PUC>-<YYYYMMDD>-<SEQ>-<C>``.

* PUC: the growing-area code (mã số vùng trồng) issued by the Plant Protection Department,
  or the farm's internal area code before one is issued; letters, digits, '.' and '-'.
* YYYYMMDD: harvest date; SEQ: 3-digit sequence of lots from that area on that day (001-999).
* C: check character, ISO/IEC 7064 MOD 37-36 (hybrid system, one character 0-9/A-Z) over the
  letters and digits of PUC, date and sequence, so a mistyped code is caught on the label scan.

Example: ``VN-VP-0142-20260315-003-L``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PUC = re.compile(r"^[A-Z0-9](?:[A-Z0-9.\-]{0,38}[A-Z0-9])?$")
_CODE = re.compile(r"^(?P<puc>.+)-(?P<date>\d{8})-(?P<seq>\d{3})-(?P<check>[0-9A-Z])$")


def check_character(payload: str) -> str:
    """ISO/IEC 7064 MOD 37-36 check character of the letters and digits of ``payload``."""
    m = len(ALPHABET)
    p = m
    for ch in payload.upper():
        if ch not in ALPHABET:
            continue
        s = (p + ALPHABET.index(ch)) % m or m
        p = (2 * s) % (m + 1)
    return ALPHABET[(m + 1 - p) % m]


@dataclass(frozen=True)
class LotCode:
    """A parsed lot code."""

    puc: str
    harvest_date: date
    sequence: int
    check: str

    def __str__(self) -> str:
        return f"{self.puc}-{self.harvest_date:%Y%m%d}-{self.sequence:03d}-{self.check}"


def make_lot_code(puc: str, harvest_date: date, sequence: int) -> LotCode:
    """Build a lot code; raises ValueError on a malformed PUC or a sequence outside 1-999."""
    puc = puc.strip().upper()
    if not _PUC.match(puc):
        raise ValueError(f"malformed growing-area code {puc!r}")
    if not 1 <= sequence <= 999:
        raise ValueError("sequence must be 1-999")
    payload = f"{puc}{harvest_date:%Y%m%d}{sequence:03d}"
    return LotCode(puc, harvest_date, sequence, check_character(payload))


def parse_lot_code(text: str) -> LotCode:
    """Parse and verify a lot code; raises ValueError when malformed or the check character is wrong."""
    m = _CODE.match(text.strip().upper())
    if not m:
        raise ValueError(f"not a lot code: {text!r}")
    try:
        day = date(int(m["date"][:4]), int(m["date"][4:6]), int(m["date"][6:]))
    except ValueError:
        raise ValueError(f"bad date in lot code: {text!r}") from None
    expected = make_lot_code(m["puc"], day, int(m["seq"]))
    if expected.check != m["check"]:
        raise ValueError(f"check character mismatch in {text!r}")
    return expected
