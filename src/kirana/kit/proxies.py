"""Who the client is and how it reached us, believing proxy headers only from trusted proxies.

``X-Forwarded-For``, ``X-Forwarded-Proto`` and ``Forwarded`` are whatever the sender wrote. From
a proxy we run (``KIRANA_TRUSTED_PROXIES``) they say who its client was; from anyone else they
are ignored, or a client could pick a new address for every sign-in attempt and never be rate
limited. Behind a chain of proxies the client is the nearest address that is not one of ours.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def parse_networks(spec: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1"`` as networks; a bad entry is a ValueError naming it."""
    networks = []
    for part in spec.replace(";", ",").split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError as exc:
                raise ValueError(f"{part.strip()!r} is not an IP address or network") from exc
    return tuple(networks)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def _header(scope: Scope, name: bytes) -> str | None:
    values = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k == name]
    return ",".join(values) if values else None


def _forwarded(scope: Scope, key: str) -> list[str]:
    """The ``key=`` values of RFC 7239 ``Forwarded`` headers, nearest proxy's last."""
    found = []
    for element in (_header(scope, b"forwarded") or "").split(","):
        for pair in element.split(";"):
            name, _, value = pair.strip().partition("=")
            if name.lower() == key:
                value = value.strip().strip('"')
                if key == "for" and value.startswith("["):  # "[2001:db8::1]:4711"
                    value = value[1:].split("]", 1)[0]
                elif key == "for" and value.count(":") == 1:  # "192.0.2.1:4711"
                    value = value.split(":", 1)[0]
                found.append(value)
    return found


def client_address(scope: Scope, trusted: str) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy."""
    peer = scope["client"][0] if scope.get("client") else "unknown"
    networks = parse_networks(trusted)
    if not networks or not _trusted(peer, networks):
        return peer
    chain = _forwarded(scope, "for")
    if not chain:
        chain = [a.strip() for a in (_header(scope, b"x-forwarded-for") or "").split(",")]
    for address in reversed([a for a in chain if a]):
        if not _trusted(address, networks):
            return address
        peer = address
    return peer


def scheme(scope: Scope, trusted: str) -> str:
    """``https`` if the request came over TLS: to us, or to a trusted proxy that says so."""
    own = str(scope.get("scheme", "http"))
    peer = scope["client"][0] if scope.get("client") else ""
    networks = parse_networks(trusted)
    if not networks or not _trusted(peer, networks):
        return own
    said = _forwarded(scope, "proto") or [
        p.strip() for p in (_header(scope, b"x-forwarded-proto") or "").split(",") if p.strip()
    ]
    return said[0].lower() if said else own
