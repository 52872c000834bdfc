// The farms' time zone: the ONE front-end definition (the server's is common/timezone.py, and
// tests/server/test_timezone.py holds the two equal). Vietnam, UTC+7, no daylight saving
// (IANA zone Asia/Ho_Chi_Minh), so a local day is the UTC day of the time shifted by the offset.
export const TIME_ZONE = "Asia/Ho_Chi_Minh";
export const UTC_OFFSET_S = 25200;

const shifted = (ms) => new Date(ms + UTC_OFFSET_S * 1000).toISOString();

// "2026-03-05": the local calendar day at ``ms`` (default now).
export const localDay = (ms = Date.now()) => shifted(ms).slice(0, 10);

// "14:05": the local clock time at ``ms``, whatever zone the phone is set to.
export const localClock = (ms) => shifted(ms).slice(11, 16);
