"""Password hashing (argon2id), JWT access tokens and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread
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


async def hash_password_off_loop(password: str) -> str:
    """``hash_password`` in a worker thread: argon2id spends ~0.1 s of CPU by design, and on
    the event loop every other request of the process would wait for it (argon2-cffi releases
    the GIL while it hashes)."""
    return await anyio.to_thread.run_sync(hash_password, password)


async def verify_password_off_loop(password_hash: str, password: str) -> bool:
    """``verify_password`` in a worker thread, for the same reason."""
    return await anyio.to_thread.run_sync(verify_password, password_hash, password)


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
    claims = verified_tokens.get(secret, token)
    if claims is None:
        claims = _verify(token, secret)
        if claims is None:
            return None  # never cached: a stranger's garbage must not take our memory
        verified_tokens.put(secret, token, claims)
    if claims["exp"] <= int(clock.now().timestamp()):
        return None
    return dict(claims)


def _verify(token: str, secret: str) -> dict[str, Any] | None:
    """PyJWT's check of the signature, then the shape of what we issue: a token we did not make
    in this shape (a claim of the wrong type, ``exp: "soon"``) is refused, not trusted."""
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
    shaped = (
        claims.get("typ") == "access"
        and isinstance(claims["sub"], str)
        and claims["sub"] != ""
        and _is_int(claims["exp"])
        and _is_int(claims["iat"])
        and isinstance(claims.get("role", ""), str)
        and isinstance(claims.get("store_id"), str | None)
        and isinstance(claims.get("fam"), str | None)
        and _is_int(claims.get("ver", 0))
    )
    return claims if shaped else None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class TokenCache:
    """Claims of tokens whose signature was checked, so a client's same token is checked once
    for its lifetime rather than with every request. Only verified tokens enter, and it is
    bounded by entries and by bytes (tokens are ours, so small; a larger one is not kept).
    What a token's claims mean now (the user's role, revoked sessions) is checked by the
    caller on every use: nothing cached here goes stale."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, secret: str, token: str) -> dict[str, Any] | None:
        claims = self._entries.get((secret, token))
        if claims is not None:
            self._entries.move_to_end((secret, token))
        return claims

    def put(self, secret: str, token: str, claims: dict[str, Any]) -> None:
        size = _size(token)
        if len(token) > LARGEST_KEPT or (secret, token) in self._entries:
            return
        self._entries[(secret, token)] = claims
        self.bytes += size
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            (_, old), _ = self._entries.popitem(last=False)
            self.bytes -= _size(old)

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0


def _size(token: str) -> int:
    """What an entry costs, near enough: the token, its claims, the dict's slot."""
    return 2 * len(token) + 512


# Ours are a few hundred bytes; a longer one is checked each time it comes.
LARGEST_KEPT = 4096
verified_tokens = TokenCache(max_entries=16_384, max_bytes=16 * 1024 * 1024)


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
