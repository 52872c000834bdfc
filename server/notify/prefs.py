"""Per-person notification preferences: which channels beyond the inbox, which number, quiet hours.

The inbox is always on (it costs nothing and the farmer reads it when they open the app). SMS, Zalo
and push wait while the person's quiet hours last, counted on the farms' clock (``common.timezone``,
Vietnam's UTC+7), not the server's.
"""

from __future__ import annotations

from dataclasses import dataclass

from common import timezone
from common.language import DEFAULT, LANGS
from server.notify.models import Preference

EXTRA_CHANNELS = ("push", "sms", "zalo")
CHANNELS = ("inbox", *EXTRA_CHANNELS)
# Who never chose: push (free, on the phone that has the app) and SMS (reaches a phone without it).
DEFAULT_CHANNELS = ("push", "sms")
# Advertising SMS may only be sent 07:00-22:00 (Nghị định 91/2020/NĐ-CP on spam messages, Điều 12);
# an alert is not advertising, but nobody wants it at night: quiet from 22:00, farmers are up by 06:00.
DEFAULT_QUIET = (22 * 60, 6 * 60)
MINUTES_A_DAY = 24 * 60


@dataclass(frozen=True)
class Prefs:
    channels: tuple[str, ...]
    phone: str  # E.164; the person's own preference, else their sign-in number
    lang: str
    quiet_start_min: int
    quiet_end_min: int

    def json(self) -> dict[str, object]:
        return {
            "channels": list(self.channels),
            "phone": self.phone,
            "lang": self.lang,
            "quiet_start": hhmm(self.quiet_start_min),
            "quiet_end": hhmm(self.quiet_end_min),
        }


def effective(pref: Preference | None, sign_in_phone: str) -> Prefs:
    """What applies to a person: their saved choice, else the defaults."""
    if pref is None:
        return Prefs(DEFAULT_CHANNELS, sign_in_phone, DEFAULT, *DEFAULT_QUIET)
    channels = tuple(c for c in EXTRA_CHANNELS if c in (pref.channels or []))
    lang = pref.lang if pref.lang in LANGS else DEFAULT
    return Prefs(channels, pref.phone or sign_in_phone, lang, pref.quiet_start_min, pref.quiet_end_min)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hhmm(text: object) -> int:
    """``"22:00"`` → 1320; ValueError for anything that is not a clock time."""
    hours, _, mins = str(text).partition(":")
    if not (hours.isdigit() and mins.isdigit() and len(mins) == 2):
        raise ValueError("time must be HH:MM")
    value = int(hours) * 60 + int(mins)
    if not (0 <= int(hours) < 24 and 0 <= int(mins) < 60):
        raise ValueError("time must be between 00:00 and 23:59")
    return value


def release_at(now: int, quiet_start_min: int, quiet_end_min: int) -> int:
    """When a message may go out: ``now``, or the end of the quiet hours ``now`` falls in (local
    time; the window may span midnight; equal start and end mean no quiet hours)."""
    if quiet_start_min == quiet_end_min:
        return now
    midnight = timezone.day_start(now)
    minute = (now - midnight) // 60
    start, end = quiet_start_min, quiet_end_min
    if start < end:
        return midnight + end * 60 if start <= minute < end else now
    if minute >= start:  # evening part of a window that ends tomorrow morning
        return midnight + timezone.DAY_S + end * 60
    return midnight + end * 60 if minute < end else now
