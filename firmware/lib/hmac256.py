"""HMAC-SHA256 (RFC 2104) and a constant-time compare, for the frame MIC and signed configs.

Written out because MicroPython ships ``hashlib.sha256`` but no ``hmac`` module; CPython runs the
same code, so node and gateway compute MICs one way.
"""

import hashlib


def hmac_sha256(key, msg):
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key + bytes(64 - len(key))
    inner = hashlib.sha256(bytes([b ^ 0x36 for b in key]))
    inner.update(msg)
    outer = hashlib.sha256(bytes([b ^ 0x5C for b in key]))
    outer.update(inner.digest())
    return outer.digest()


def equal(a, b):
    """Constant-time comparison, so a forger learns nothing from response timing."""
    if len(a) != len(b):
        return False
    diff = 0
    for i in range(len(a)):
        diff |= a[i] ^ b[i]
    return diff == 0
