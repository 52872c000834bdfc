"""Web Push: a message to a browser through its push service, encrypted for that browser only.

- RFC 8030 (Generic Event Delivery Using HTTP Push): ``POST`` to the subscription's endpoint with
  ``TTL`` and ``Urgency``; 201 is accepted; 404/410 mean the subscription is gone (``Permanent``);
  429 and 5xx are retried.
- RFC 8291 (Message Encryption for Web Push) with RFC 8188 (``aes128gcm`` content coding): an
  ephemeral P-256 key pair per message; ``IKM = HKDF(salt=auth, ikm=ECDH, info="WebPush: info\\0"
  ‖ ua_public ‖ as_public, 32)``; content key and nonce from ``HKDF(salt, IKM)`` with the infos
  ``"Content-Encoding: aes128gcm\\0"`` (16 bytes) and ``"Content-Encoding: nonce\\0"`` (12 bytes);
  one record, the plaintext followed by the last-record delimiter ``0x02``; header ``salt(16) ‖
  rs(4) ‖ idlen(1) ‖ as_public(65)``.
- RFC 8292 (VAPID): ``Authorization: vapid t=<JWT>, k=<application server public key>``; the JWT
  is ES256 (RFC 7518 §3.4: the signature is r ‖ s, 32 bytes each) with ``aud`` = the endpoint's
  origin, ``exp`` at most 24 hours ahead, ``sub`` = a contact (``mailto:`` or ``https:``).

The VAPID private key is ``vapid_private_key`` (PEM, or a file path) in the settings; without one,
a key is made once per installation in the data directory (file mode 0600), like the session secret.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from server.notify.channels import Message, Permanent, Retry

TIMEOUT_S = 10
TTL_S = 2 * 86400  # an alert a phone gets two days late is still worth showing (RFC 8030 §5.2)
JWT_LIFETIME_S = 12 * 3600  # RFC 8292 §2: no more than 24 hours
RECORD_SIZE = 4096  # RFC 8188 §2: rs; one record carries the whole (small) payload
KEY_FILE = "vapid_private.pem"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def public_bytes(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def encrypt(
    plaintext: bytes,
    ua_public: bytes,
    auth_secret: bytes,
    salt: bytes | None = None,
    as_key: ec.EllipticCurvePrivateKey | None = None,
) -> bytes:
    """The RFC 8291 ``aes128gcm`` body for one browser (``ua_public``: its 65-byte p256dh key)."""
    as_key = as_key or ec.generate_private_key(ec.SECP256R1())
    salt = salt or os.urandom(16)
    as_public = public_bytes(as_key.public_key())
    ua_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ua_public)
    shared = as_key.exchange(ec.ECDH(), ua_key)
    ikm = _hkdf(auth_secret, shared, b"WebPush: info\x00" + ua_public + as_public, 32)
    cek = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    if len(plaintext) + 1 + 16 > RECORD_SIZE:
        raise Permanent("push: payload too large for one record")
    record = AESGCM(cek).encrypt(nonce, plaintext + b"\x02", None)
    return salt + struct.pack(">IB", RECORD_SIZE, len(as_public)) + as_public + record


def load_key(setting: str, data_dir: Path) -> ec.EllipticCurvePrivateKey:
    """The VAPID key: the setting (PEM text or a path to a PEM file), else one kept in the data dir."""
    if setting.strip().startswith("-----BEGIN"):
        pem = setting.encode()
    elif setting:
        pem = Path(setting).read_bytes()
    else:
        path = data_dir / KEY_FILE
        if not path.exists():
            fresh = ec.generate_private_key(ec.SECP256R1())
            path.write_bytes(
                fresh.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            path.chmod(0o600)
        pem = path.read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("vapid_private_key must be a P-256 (prime256v1) EC private key")
    return key


def vapid_header(key: ec.EllipticCurvePrivateKey, endpoint: str, subject: str, now: int) -> str:
    """``Authorization`` for ``endpoint`` (RFC 8292 §2-3)."""
    parts = urlsplit(endpoint)
    claims = {"aud": f"{parts.scheme}://{parts.netloc}", "exp": now + JWT_LIFETIME_S, "sub": subject}
    head = b64u(json.dumps({"typ": "JWT", "alg": "ES256"}, separators=(",", ":")).encode())
    body = b64u(json.dumps(claims, separators=(",", ":")).encode())
    r, s = decode_dss_signature(key.sign(f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256())))
    token = f"{head}.{body}.{b64u(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    return f"vapid t={token}, k={b64u(public_bytes(key.public_key()))}"


class WebPush:
    name = "push"

    def __init__(self, key: ec.EllipticCurvePrivateKey, subject: str) -> None:
        self.key, self.subject = key, subject
        self.gone: list[str] = []  # endpoints the last send found dropped (the worker deletes them)

    @property
    def public_key(self) -> str:
        """What the browser's ``pushManager.subscribe`` needs as ``applicationServerKey``."""
        return b64u(public_bytes(self.key.public_key()))

    def send(self, msg: Message) -> str:
        """Sent when at least one of the person's browsers accepted it; gone subscriptions are
        reported in the error so the outbox can drop them."""
        if not msg.push:
            raise Permanent("push: no browser subscribed")
        payload = json.dumps(
            {"title": msg.title, "body": msg.body, "url": msg.url, "alert": msg.alert_id}, ensure_ascii=False
        ).encode()
        accepted: list[str] = []
        errors: list[str] = []
        gone: list[str] = []
        self.gone = gone
        for endpoint, p256dh, auth in msg.push:
            try:
                body = encrypt(payload, unb64u(p256dh), unb64u(auth))
                headers = {
                    "TTL": str(TTL_S),
                    "Urgency": "high",
                    "Content-Encoding": "aes128gcm",
                    "Content-Type": "application/octet-stream",
                    "Authorization": vapid_header(self.key, endpoint, self.subject, int(time.time())),
                }
                r = requests.post(endpoint, data=body, headers=headers, timeout=TIMEOUT_S)
            except requests.RequestException as e:
                errors.append(f"push: {type(e).__name__}")
                continue
            except ValueError:  # a malformed key stored by a browser: it will never decrypt
                gone.append(endpoint)
                continue
            if r.status_code in (200, 201, 202):
                accepted.append(r.headers.get("Location", endpoint))
            elif r.status_code in (404, 410):
                gone.append(endpoint)
            else:
                errors.append(f"push: HTTP {r.status_code}")
        if accepted:
            return accepted[0][:100]
        if errors:
            raise Retry("; ".join(errors))
        raise Permanent("push: subscription gone " + " ".join(gone))
