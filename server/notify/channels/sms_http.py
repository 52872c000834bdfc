"""SMS through an HTTP SMS gateway speaking the SpeedSMS v1 protocol (a Vietnamese SMS provider).

Protocol (SpeedSMS API documentation, https://speedsms.vn/sms-api-service/ "Gửi tin nhắn SMS"):
``POST {url}`` with HTTP Basic authentication (the access token as the user name, ``x`` as the
password) and a JSON body ``{"to": ["84912345678"], "content": "...", "sms_type": 2,
"sender": "..."}``; the answer is JSON, ``{"status": "success", "code": "00", "data":
{"tranId": …, "invalidPhone": [...]}}`` or ``{"status": "error", "code": "…", "message": …}``.
A number listed in ``invalidPhone`` will never work (``Permanent``); any other error, a 5xx or no
answer is retried. The URL and token come from the settings (``sms_http_url``, ``sms_http_token``).
"""

from __future__ import annotations

import requests

from server.notify.channels import Message, Permanent, Retry

TIMEOUT_S = 10
SMS_TYPE_BRANDNAME = 2  # SpeedSMS: 2 = customer-care message from a registered sender name


def msisdn(phone: str) -> str:
    """``+84912345678`` (or ``0912345678``) → ``84912345678``: providers take the international
    number without ``+``."""
    digits = phone.lstrip("+")
    return "84" + digits[1:] if digits.startswith("0") else digits


def sms_text(msg: Message) -> str:
    """One SMS text: the title (when there is one) and the officer's words."""
    return f"{msg.title}: {msg.body}" if msg.title else msg.body


class HttpSms:
    name = "sms"

    def __init__(self, url: str, token: str, sender: str = "") -> None:
        self.url, self.token, self.sender = url, token, sender

    def send(self, msg: Message) -> str:
        body = {"to": [msisdn(msg.phone)], "content": sms_text(msg), "sms_type": SMS_TYPE_BRANDNAME}
        if self.sender:
            body["sender"] = self.sender
        try:
            r = requests.post(self.url, json=body, auth=(self.token, "x"), timeout=TIMEOUT_S)
        except requests.RequestException as e:
            raise Retry(f"sms: {type(e).__name__}") from e
        if r.status_code >= 500 or r.status_code == 429:
            raise Retry(f"sms: HTTP {r.status_code}")
        try:
            answer = r.json()
        except ValueError as e:
            raise Retry(f"sms: HTTP {r.status_code}, not JSON") from e
        data = answer.get("data") or {}
        if msisdn(msg.phone) in (data.get("invalidPhone") or []):
            raise Permanent("sms: invalid phone number")
        if r.status_code != 200 or answer.get("status") != "success":
            raise Retry(f"sms: {answer.get('code')} {answer.get('message', '')}".strip())
        return str(data.get("tranId", ""))
