"""SMS through a GSM modem run by gammu-smsd with its FILES backend: we drop a file in its outbox.

File name (gammu-smsd-files(7), "Transmitting of messages"):
``OUT<priority><date>_<time>_<serial>_<recipient>_<note>.txt`` — priority ``A`` (highest) to ``Z``,
date ``YYYYMMDD``, time ``HHMMSS``; gammu-smsd picks up only names that start with ``OUT``, so the
file is written under another name and renamed into place (a rename is atomic within a directory;
the daemon never reads half a message). The text is UTF-16 with a byte-order mark, which is what
``OutboxFormat = unicode`` in gammu-smsdrc(5) reads: Vietnamese needs UCS-2 SMS anyway (70
characters a part; gammu splits longer texts itself). The directory is ``gammu_outbox_dir``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from common import timezone
from server.notify.channels import Message, Permanent, Retry
from server.notify.channels.sms_http import sms_text

PRIORITY = "B"  # A is left for an operator's urgent manual message


class GammuSpool:
    name = "sms"

    def __init__(self, outbox_dir: str) -> None:
        self.dir = Path(outbox_dir)

    def send(self, msg: Message) -> str:
        if not msg.phone.lstrip("+").isdigit():
            raise Permanent("sms: invalid phone number")
        stamp = timezone.naive_local(int(time.time())).strftime("%Y%m%d_%H%M%S")
        name = f"OUT{PRIORITY}{stamp}_00_{msg.phone}_rs{msg.delivery_id}.txt"
        tmp = self.dir / f".tmp-rs{msg.delivery_id}"
        try:
            tmp.write_bytes(sms_text(msg).encode("utf-16"))
            os.replace(tmp, self.dir / name)
        except OSError as e:
            raise Retry(f"sms spool: {e.strerror or type(e).__name__}") from e
        return name
