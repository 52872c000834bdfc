"""Local servers that speak each provider's protocol on a real 127.0.0.1 socket, and check it.

- ``SpeedSms``: HTTP Basic with the access token, the JSON body of SpeedSMS's send API.
- ``ZaloZns``: the ``access_token`` header and the ZNS template body.
- ``PushService``: an RFC 8030 push service that refuses a request whose VAPID JWT (RFC 8292) does
  not verify with the key in ``k=``, whose audience is not its own origin or which expires more than
  24 h ahead, and that decrypts the ``aes128gcm`` body (RFC 8291/8188) with the subscriber's private
  key and auth secret: a message the browser could not read is refused too. The decryption here is
  written from the receiving side (the user agent's), not by calling the server's code.

Each records what it accepted; ``fail_next`` makes the next N requests answer 503 (transient).
"""

from __future__ import annotations

import base64
import json
import os
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _b64u_dec(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Provider:
    """Shared plumbing: a threaded HTTP server, what it accepted, injected failures."""

    def __init__(self) -> None:
        self.accepted: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        self.url = ""

    def handle(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any] | None]:
        raise NotImplementedError

    @contextmanager
    def running(self) -> Iterator[Provider]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer: dict[str, Any] | None
                with provider.lock:
                    if provider.fail_next > 0:
                        provider.fail_next -= 1
                        status, answer = 503, {"status": "error", "code": "503", "message": "busy"}
                    else:
                        status, answer = provider.handle(self.path, self.headers, body)
                data = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{server.server_port}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)


class SpeedSms(Provider):
    PATH = "/index.php/sms/send"

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def handle(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any] | None]:
        auth = headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(f"{self.token}:x".encode()).decode()
        if path != self.PATH or auth != expected:
            self.refused.append(f"{path} {auth}")
            return 401, {"status": "error", "code": "007", "message": "access token invalid"}
        req = json.loads(body)
        to = req.get("to")
        if (
            not isinstance(to, list)
            or not req.get("content")
            or req.get("sms_type") not in (1, 2, 3, 4, 5, 6)
        ):
            return 200, {"status": "error", "code": "102", "message": "bad request"}
        bad = [n for n in to if not (str(n).startswith("84") and len(str(n)) == 11)]
        if bad:
            return 200, {"status": "success", "code": "00", "data": {"tranId": 0, "invalidPhone": bad}}
        self.accepted.append(req)
        return 200, {
            "status": "success",
            "code": "00",
            "data": {"tranId": 1000 + len(self.accepted), "totalSMS": 1, "invalidPhone": []},
        }


class ZaloZns(Provider):
    PATH = "/message/template"

    def __init__(self, token: str, template_id: str) -> None:
        super().__init__()
        self.token, self.template_id = token, template_id

    def handle(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any] | None]:
        if path != self.PATH or headers.get("access_token") != self.token:
            self.refused.append(path)
            return 200, {"error": -124, "message": "Access token is invalid"}
        req = json.loads(body)
        if req.get("template_id") != self.template_id or not isinstance(req.get("template_data"), dict):
            return 200, {"error": -109, "message": "Template id is invalid"}
        if not str(req.get("phone", "")).startswith("84"):
            return 200, {"error": -108, "message": "Phone number is invalid"}
        self.accepted.append(req)
        return 200, {
            "error": 0,
            "message": "Success",
            "data": {"msg_id": f"zns-{len(self.accepted)}", "sent_time": str(int(time.time() * 1000))},
        }


class Browser:
    """One subscribed browser: its P-256 key pair and auth secret (what pushManager.subscribe makes)."""

    def __init__(self, endpoint: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint

    @property
    def public(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def subscription(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": _b64u(self.public), "auth": _b64u(self.auth)}}

    def decrypt(self, body: bytes) -> bytes:
        """RFC 8188 header, RFC 8291 §3.3-3.4 key derivation from the user agent's side."""
        salt, rs, idlen = body[:16], struct.unpack(">I", body[16:20])[0], body[20]
        as_public = body[21 : 21 + idlen]
        record = body[21 + idlen :]
        assert rs >= 18 and len(record) <= rs
        shared = self.key.exchange(
            ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public)
        )

        def hkdf(salt_: bytes, ikm: bytes, info: bytes, n: int) -> bytes:
            return HKDF(algorithm=hashes.SHA256(), length=n, salt=salt_, info=info).derive(ikm)

        ikm = hkdf(self.auth, shared, b"WebPush: info\x00" + self.public + as_public, 32)
        cek = hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
        nonce = hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
        plain = AESGCM(cek).decrypt(nonce, record, None)
        body_, delim = plain.rstrip(b"\x00")[:-1], plain.rstrip(b"\x00")[-1:]
        assert delim == b"\x02", "the only record must end with the last-record delimiter"
        return body_


class PushService(Provider):
    """Endpoints ``/push/<n>`` for subscribed browsers; ``/gone/<n>`` answers 410 (unsubscribed)."""

    def __init__(self) -> None:
        super().__init__()
        self.browsers: dict[str, Browser] = {}

    def browser(self, name: str, gone: bool = False) -> Browser:
        b = Browser(f"{self.url}/{'gone' if gone else 'push'}/{name}")
        self.browsers[f"/{'gone' if gone else 'push'}/{name}"] = b
        return b

    def _check_vapid(self, header: str) -> str | None:
        if not header.startswith("vapid "):
            return "no vapid authorization"
        parts = dict(p.strip().split("=", 1) for p in header[6:].split(","))
        token, k = parts.get("t", ""), parts.get("k", "")
        try:
            head, claims, sig = token.split(".")
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64u_dec(k))
            raw = _b64u_dec(sig)
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            key.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        except (ValueError, InvalidSignature):
            return "bad vapid signature"
        if json.loads(_b64u_dec(head)).get("alg") != "ES256":
            return "not ES256"
        c = json.loads(_b64u_dec(claims))
        if c.get("aud") != self.url:
            return f"audience {c.get('aud')} is not {self.url}"
        if not time.time() < c.get("exp", 0) <= time.time() + 86400:
            return "exp not within 24 h"
        if not str(c.get("sub", "")).startswith(("mailto:", "https:")):
            return "no contact in sub"
        return None

    def handle(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any] | None]:
        if path.startswith("/gone/"):
            return 410, None
        problem = self._check_vapid(headers.get("Authorization", ""))
        if problem is None and headers.get("Content-Encoding") != "aes128gcm":
            problem = "content encoding"
        if problem is None and not headers.get("TTL", "").isdigit():
            problem = "no TTL"
        browser = self.browsers.get(path)
        if problem is None and browser is None:
            return 404, None
        if problem is None and browser is not None:
            try:
                payload = json.loads(browser.decrypt(body))
            except Exception as e:  # the browser could not read it: the test must fail
                problem = f"undecryptable: {type(e).__name__}"
            else:
                self.accepted.append({"endpoint": path, "payload": payload})
                return 201, None
        self.refused.append(str(problem))
        return 403, None
