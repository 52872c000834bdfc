"""Harvest lot codes, the one scheme the app issues and checks: ``<PUC>-<YYYYMMDD>-<SERIAL>-<C>``.

* PUC: the growing-area code (mã số vùng trồng) issued by the Plant Protection Department,
  or the farm's internal area code before one is issued; letters, digits, '.' and '-'.
* YYYYMMDD: harvest date, so a packer reads the date off the label without a look-up.
* SERIAL: 13 characters 0-9/A-Z drawn from the operating system's CSPRNG (36^13 ≈ 2^67.2, at
  least the 64 random bits issue 16 asks for). The code is the key to the public traceability
  page and PDF, so it must not be guessable from the area and the date; a per-day counter (the
  former 3-digit SEQ), the app's former 24 random bits (``RS<yymmdd>-<hex6>``: one day's codes
  swept in about 7 h at 665 lookups/s) or the former 10-character serial (51.7 bits) leave far
  less margin. Public lookups are also throttled (``mobile_api/lots_api.py``).
* C: check character, ISO/IEC 7064 MOD 37-36 (hybrid system, one character 0-9/A-Z) over the
  letters and digits of PUC, date and serial, so a mistyped code is caught on the label scan.

Example: ``VN-VP-0142-20260315-7K3M9Q2XWDH4P-C``. Codes already printed stay readable:
``lookup_form`` also accepts the app's former ``RS<yymmdd>-<hex6>`` codes, codes with the former
10-character serial and documented codes with a 3-digit sequence.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SERIAL_LENGTH = 13
FALLBACK_PUC = "RS"  # the app's own prefix while a field has no growing-area code yet
MAX_LENGTH = 80  # 40 (PUC column) + 8 + 13 + 1 + 3 separators = 65; the lot table's code column (0009)
_PUC = re.compile(r"^[A-Z0-9](?:[A-Z0-9.\-]{0,38}[A-Z0-9])?$")
_SERIAL = re.compile(r"^[0-9A-Z]{3,13}$")
_CODE = re.compile(r"^(?P<puc>.+)-(?P<date>\d{8})-(?P<serial>[0-9A-Z]{3,13})-(?P<check>[0-9A-Z])$")
_LEGACY = re.compile(r"^RS\d{6}-[0-9A-F]{6}$")  # issued by the app before this scheme


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
    serial: str
    check: str

    def __str__(self) -> str:
        return f"{self.puc}-{self.harvest_date:%Y%m%d}-{self.serial}-{self.check}"


def make_lot_code(puc: str, harvest_date: date, serial: str) -> LotCode:
    """Build a lot code; raises ValueError on a malformed PUC or serial (3-13 of 0-9/A-Z)."""
    puc, serial = puc.strip().upper(), serial.strip().upper()
    if not _PUC.match(puc):
        raise ValueError(f"malformed growing-area code {puc!r}")
    if not _SERIAL.match(serial):
        raise ValueError("serial must be 3-13 of 0-9/A-Z")
    payload = f"{puc}{harvest_date:%Y%m%d}{serial}"
    return LotCode(puc, harvest_date, serial, check_character(payload))


def issue_lot_code(
    puc: str | None, harvest_date: date, choice: Callable[[str], str] = secrets.choice
) -> LotCode:
    """A new, unguessable code for a lot of ``puc`` (``FALLBACK_PUC`` when None) harvested that day.

    ``choice`` defaults to ``secrets.choice``; a caller may pass another only to make tests
    deterministic, never to weaken the code."""
    serial = "".join(choice(ALPHABET) for _ in range(SERIAL_LENGTH))
    return make_lot_code(puc or FALLBACK_PUC, harvest_date, serial)


def parse_lot_code(text: str) -> LotCode:
    """Parse and verify a lot code; raises ValueError when malformed or the check character is wrong."""
    m = _CODE.match(text.strip().upper())
    if not m:
        raise ValueError(f"not a lot code: {text!r}")
    try:
        day = date(int(m["date"][:4]), int(m["date"][4:6]), int(m["date"][6:]))
    except ValueError:
        raise ValueError(f"bad date in lot code: {text!r}") from None
    expected = make_lot_code(m["puc"], day, m["serial"])
    if expected.check != m["check"]:
        raise ValueError(f"check character mismatch in {text!r}")
    return expected


def lookup_form(text: str) -> str | None:
    """The stored form of a scanned or typed code, or None when it cannot be a lot code.

    Upper-cases (a scanner or a phone may lower-case it), verifies the check character of a
    current code and accepts the app's former ``RS<yymmdd>-<hex6>`` codes as they were printed."""
    code = text.strip().upper()
    if len(code) > MAX_LENGTH:
        return None
    if _LEGACY.match(code):
        return code
    try:
        return str(parse_lot_code(code))
    except ValueError:
        return None
