"""A/B boot selection with a boot counter: the part of the update path that is never replaced.

Files: ``/fw/state.json`` (this module's state) and the slots ``/slot_a`` and ``/slot_b`` holding a
bundle's application files. ``slot`` "" is the factory install written by ``farm node deploy``.

Every boot, ``main.py`` calls ``boot()`` before importing the application:

* a version on trial (just installed) gets ``trial_boots`` boots to complete one send cycle; each
  boot counts one, and when the count is used up without ``confirm()`` the previous slot is
  selected again and the version is remembered as failed (never offered to itself again);
* the selected slot goes first on ``sys.path``, so its modules win over the factory ones.

This file is not part of a bundle (``deploy.BOOT_FILES``): an update that broke it could no longer
be rolled back. It imports only ``json``, ``os`` and ``sys`` so a broken bundle cannot break it.
"""

import json
import os
import sys

STATE = "/fw/state.json"
SLOTS = ("slot_a", "slot_b")
MAX_FAILED = 4


def default():
    return {"running": 0, "slot": "", "prev": 0, "prev_slot": "", "trial": 0, "boots": 0,
            "trial_boots": 3, "failed": [], "last": "-"}


def load(root=""):
    st = default()
    try:
        with open(root + STATE) as f:
            saved = json.load(f)
        for k in st:
            if k in saved:
                st[k] = saved[k]
    except (OSError, ValueError):
        pass
    return st


def save(root, st):
    try:
        os.mkdir(root + "/fw")
    except OSError:
        pass
    path = root + STATE
    with open(path + ".new", "w") as f:
        json.dump(st, f)
    os.rename(path + ".new", path)  # atomic on LittleFS: a power cut keeps the old or the new state


def rollback(st, reason):
    """Select the previous slot again; the version that failed is never installed again here."""
    failed = [v for v in st["failed"] if v != st["running"]]
    failed.append(st["running"])
    st["failed"] = failed[-MAX_FAILED:]
    st["running"], st["slot"] = st["prev"], st["prev_slot"]
    st["trial"] = 0
    st["boots"] = 0
    st["last"] = reason
    return st


def boot(root="", count=True):
    """Count this boot, roll back if the trial is used up, put the running slot on ``sys.path``.

    A rain-gauge tip wake does not count (``count=False``): a shower must not use up the trial."""
    st = load(root)
    if st["trial"] and count:
        st["boots"] += 1
        if st["boots"] > st["trial_boots"]:
            rollback(st, "nosend")
        save(root, st)
    path = root + "/" + st["slot"] if st["slot"] else None
    for s in SLOTS:
        p = root + "/" + s
        if p in sys.path:
            sys.path.remove(p)
    if path is not None:
        sys.path.insert(0, path)
    return st


def confirm(root=""):
    """The running version completed a send cycle: it stays. Returns True if a trial ended here."""
    st = load(root)
    if not st["trial"]:
        return False
    st["trial"] = 0
    st["boots"] = 0
    st["last"] = "-"
    save(root, st)
    return True
