"""Zalo Notification Service (ZNS): a message from a pre-approved template to a phone number.

Protocol (Zalo for Developers, "Zalo Notification Service — Gửi ZNS",
https://developers.zalo.me/docs/zalo-notification-service/gui-tin-zns/gui-zns): ``POST
https://business.openapi.zalo.me/message/template`` with the Official Account's ``access_token``
header and ``{"phone": "84912345678", "template_id": "…", "template_data": {…},
"tracking_id": "…"}``; the answer is ``{"error": 0, "message": "Success", "data": {"msg_id": …}}``,
a non-zero ``error`` otherwise. Errors -108 (invalid phone number) and -118 (no Zalo account for the
number) cannot succeed later (``Permanent``); others (an expired token, quota, a server error) are
retried. The template must have the parameters ``title``, ``message`` and ``date``; the URL, token
and template id come from the settings.
"""

from __future__ import annotations

import requests

from server.notify.channels import Message, Permanent, Retry
from server.notify.channels.sms_http import msisdn

TIMEOUT_S = 10
PERMANENT_ERRORS = {-108, -118}
# ZNS template parameters of the "custom label"/text kinds hold at most this many characters
# (Zalo, "Loại tham số" table of the template guidelines); a longer value is refused, so we cut.
MAX_PARAM = {"title": 100, "message": 400, "date": 20}


def template_data(msg: Message) -> dict[str, str]:
    values = {"title": msg.title or msg.body[:60], "message": msg.body, "date": msg.date}
    return {k: v[: MAX_PARAM[k]] for k, v in values.items()}


class ZaloZns:
    name = "zalo"

    def __init__(self, url: str, access_token: str, template_id: str) -> None:
        self.url, self.token, self.template_id = url, access_token, template_id

    def send(self, msg: Message) -> str:
        body = {
            "phone": msisdn(msg.phone),
            "template_id": self.template_id,
            "template_data": template_data(msg),
            "tracking_id": f"rs-{msg.delivery_id}",  # the outbox's idempotency key, for reconciliation
        }
        try:
            r = requests.post(self.url, json=body, headers={"access_token": self.token}, timeout=TIMEOUT_S)
        except requests.RequestException as e:
            raise Retry(f"zalo: {type(e).__name__}") from e
        try:
            answer = r.json()
        except ValueError as e:
            raise Retry(f"zalo: HTTP {r.status_code}, not JSON") from e
        code = int(answer.get("error", -1)) if isinstance(answer, dict) else -1
        if r.status_code == 200 and code == 0:
            return str((answer.get("data") or {}).get("msg_id", ""))
        text = f"zalo: {code} {answer.get('message', '') if isinstance(answer, dict) else ''}".strip()
        raise (Permanent if code in PERMANENT_ERRORS else Retry)(text)
