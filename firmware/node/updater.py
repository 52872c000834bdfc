"""Firmware updates across deep-sleep wakes: learn of a bundle, fetch chunks, verify, install to A/B.

Called once per send cycle by ``app.Node.deliver`` while the link is still open (the gateway's
retained offer arrived with the acks):

1. the offer (a signed manifest, ``fwbundle``) is checked: signature with the cooperative key,
   board, a version newer than the running one and not one that already failed here;
2. up to ``fw_chunks`` chunks are fetched this wake (none on a low battery, none past the wake's
   deadline), each checked against its hash in the manifest and appended to ``/fw/dl.bin``; the
   count is saved after every chunk, so a transfer cut by a lost link or a reset resumes at the
   next wake where it stopped;
3. once every chunk is in, the whole payload must match the manifest's SHA-256, and the battery
   must be at or above the manifest's ``min_batt_v``; then, after the link is closed (``finish``:
   no radio current during the flash writes), the files are written to the slot not running and
   ``fwboot`` puts that version on trial from the next boot;
4. a send cycle whose frames were acked confirms a version on trial (``fwboot.confirm``).

The node reports where it stands (``linkproto.status_payload``) after every send cycle.
"""

import hashlib
import json
import os
import time

import fwboot
import fwbundle
import linkproto as lp
import topics

DL = "/fw/dl.bin"
OFFER = "/fw/offer.json"
CHUNK_WAIT_MS = 1500  # a retained message arrives in one round trip on the farm's Wi-Fi


def log(*args):
    print("[fw]", *args)


def _rm(path):
    try:
        os.remove(path)
    except OSError:
        pass


class Updater:
    def __init__(self, node_key, fw_key, board, farm_id, root="", send_every=1):
        self.node_key = node_key
        self.fw_key = fw_key
        self.board = board
        self.farm_id = farm_id
        self.root = root
        self.send_every = max(1, send_every)  # a trial boot without a send due cannot confirm
        self.state = "run"
        self.detail = "-"
        self.got = 0
        self.total = 0
        self.due = None

    # ---- download state on flash --------------------------------------------------------------
    def _load(self):
        try:
            with open(self.root + OFFER) as f:
                d = json.load(f)
            return d["blob"].encode(), d["got"]
        except (OSError, ValueError, KeyError, AttributeError):
            return None, 0

    def _save(self, blob, got):
        try:
            os.mkdir(self.root + "/fw")
        except OSError:
            pass
        path = self.root + OFFER
        with open(path + ".new", "w") as f:
            json.dump({"blob": blob.decode(), "got": got}, f)
        os.rename(path + ".new", path)

    def _drop(self):
        _rm(self.root + OFFER)
        _rm(self.root + DL)

    # ---- one send cycle -----------------------------------------------------------------------
    def after_send(self, link, acked, volts, low, budget, deadline):
        """Confirm a trial, work on an offered bundle, and publish the status; never raises OSError."""
        st = fwboot.load(self.root)
        if acked and fwboot.confirm(self.root):
            st = fwboot.load(self.root)
            log("version", st["running"], "confirmed")
        self.state, self.detail = "run", "-"
        if st["trial"]:
            self.state = "trial"
        elif st["last"] == "nosend" and st["failed"]:
            self.state, self.detail = "rolledback", "v" + str(st["failed"][-1])  # which one failed
        offer = getattr(link, "fw_offer", None)
        if offer:
            try:
                self.work(link, offer, st, volts, low, budget, deadline)
            except Exception as e:  # an update must never cost the node its send cycle
                log("transfer stopped:", e)
        elif offer is not None:  # an empty retained offer: the rollout was withdrawn
            self._drop()
        publish = getattr(link, "publish_status", None)
        if publish is not None:
            publish(lp.status_payload(self.node_key, st["running"], self.state, self.got, self.total,
                                      self.detail))

    def work(self, link, offer, st, volts, low, budget, deadline):
        try:
            body = fwbundle.accept(self.fw_key, offer, self.board)
        except fwbundle.BundleError as e:
            self.state, self.detail = "refused", str(e).split(" ")[0]
            log("bundle refused:", e)
            return
        version = body["version"]
        if version == st["running"] or version in st["failed"] or st["trial"]:
            return  # already running, failed here before, or the new one is still on trial
        self.total = fwbundle.chunk_count(body)
        blob, got = self._load()
        if blob != bytes(offer):
            self._drop()  # a different bundle than the one half downloaded: start over
            self._save(bytes(offer), 0)
            got = 0
        self.got = got
        self.state, self.detail = "fetch", "v" + str(version)
        if got < self.total and not low:
            got = self.fetch(link, body, bytes(offer), got, budget, deadline)
            self.got = got
        if got < self.total:
            return
        if not self.payload_ok(body):
            self._drop()
            self.got = 0
            self.state, self.detail = "refused", "sha256"
            return
        if volts is None or volts < body["min_batt_v"]:
            self.state, self.detail = "ready", "battery"
            return
        self.state, self.detail = "ready", "install"
        self.due = (body, st)  # written by finish(), once the radio is off

    def finish(self):
        """Install a verified bundle after the link is closed: flash writes with the radio off."""
        if self.due is not None:
            body, st = self.due
            self.due = None
            try:
                self.install(body, st)
            except Exception as e:  # e.g. a full flash: the running slot stays selected
                log("install failed:", e)
                self._drop()
                self.state, self.detail = "refused", "install"

    def fetch(self, link, body, blob, got, budget, deadline):
        version = body["version"]
        fetched = 0
        with open(self.root + DL, "ab") as f:
            while got < self.total and fetched < budget:
                if time.ticks_diff(deadline, time.ticks_ms()) <= 0:
                    break
                if hasattr(link, "fetch_chunk"):  # ESP-NOW: asked of the gateway through the bridge
                    data = link.fetch_chunk(version, got, CHUNK_WAIT_MS)
                else:
                    data = link.fetch(topics.fw_chunk_topic(self.farm_id, version, got), CHUNK_WAIT_MS)
                if data is None:
                    break  # not there (yet): try again next wake
                if not fwbundle.chunk_ok(body, got, data):
                    self.state, self.detail = "refused", "chunk" + str(got)
                    log("chunk", got, "refused")
                    break
                f.write(data)
                f.flush()
                got += 1
                fetched += 1
                self._save(blob, got)
        return got

    def payload_ok(self, body):
        h = hashlib.sha256()
        size = 0
        try:
            with open(self.root + DL, "rb") as f:
                while True:
                    block = f.read(1024)
                    if not block:
                        break
                    h.update(block)
                    size += len(block)
        except OSError:
            return False
        return size == body["size"] and "".join(["%02x" % b for b in h.digest()]) == body["sha256"]

    def install(self, body, st):
        """Write the files into the slot not running, then put the version on trial."""
        slot = fwboot.SLOTS[1] if st["slot"] == fwboot.SLOTS[0] else fwboot.SLOTS[0]
        base = self.root + "/" + slot
        try:
            os.mkdir(base)
        except OSError:
            for name in os.listdir(base):
                os.remove(base + "/" + name)
        with open(self.root + DL, "rb") as src:
            for name, size in body["files"]:
                with open(base + "/" + name, "wb") as out:
                    left = size
                    while left:
                        block = src.read(min(1024, left))
                        if not block:
                            raise OSError("bundle ended early")
                        out.write(block)
                        left -= len(block)
        st["prev"], st["prev_slot"] = st["running"], st["slot"]
        st["running"], st["slot"] = body["version"], slot
        st["trial"], st["boots"], st["last"] = 1, 0, "-"
        st["trial_boots"] = body["trial_boots"] * self.send_every
        fwboot.save(self.root, st)
        self._drop()
        self.state, self.detail = "trial", "installed"
        log("version", body["version"], "installed in", slot, "; runs from the next boot")
