"""Password hashing (argon2id), JWT access tokens and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kirana.kit import clock

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# Checked against when a phone is unknown, so login takes the same time either way.
DUMMY_HASH = hash_password("kirana-timing-equaliser")


def create_access_token(
    subject: str, secret: str, minutes: int, claims: dict[str, Any] | None = None
) -> tuple[str, datetime]:
    issued = clock.now()
    expires = issued + timedelta(minutes=minutes)
    payload = {"sub": subject, "iat": issued, "exp": expires, "typ": "access", **(claims or {})}
    return jwt.encode(payload, secret, algorithm=_ALGORITHM), expires


def decode_access_token(token: str, secret: str) -> dict[str, Any] | None:
    """The token's claims, or None if it is forged, malformed or expired."""
    claims = _verified_claims(token, secret)
    if claims is None or int(claims["exp"]) <= int(clock.now().timestamp()):
        return None
    return dict(claims)


@lru_cache(maxsize=16_384)
def _verified_claims(token: str, secret: str) -> dict[str, Any] | None:
    """Signature and shape checked once per token: a client sends the same access token with
    every request for its 15 minutes, and checking an HS256 signature is most of what auth
    costs. Expiry is not cached (see above)."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            # Expiry is checked against kit.clock (which tests and the simulator move), so
            # PyJWT must not check times against the wall clock itself.
            options={
                "require": ["sub", "exp", "iat"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.PyJWTError:
        return None
    return claims if claims.get("typ") == "access" else None


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
