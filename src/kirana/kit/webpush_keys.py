"""VAPID keys for Web Push (RFC 8292): a P-256 key pair, written as base64url without padding.

The private key is the 32-byte secret scalar; the public key, which the browser needs as its
``applicationServerKey``, is the 65-byte uncompressed point.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_private_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """The key ``text`` names; ValueError if it is not a P-256 scalar in base64url."""
    try:
        raw = b64url_decode(text.strip())
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64url") from exc
    if len(raw) != 32:
        raise ValueError("a P-256 private key has 32 bytes")
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def public_key_of(text: str) -> str:
    point = (
        private_key(text)
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return b64url(point)
