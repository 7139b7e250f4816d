"""What the command line checks before it starts anything, so that the mistakes a person makes
setting Kirana up (a database not there or not migrated, a port taken) end in one line that says
what to do, not a traceback."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(code)


@contextmanager
def database_errors(database_url: str) -> Iterator[None]:
    """Turn what the drivers raise for a wrong KIRANA_DATABASE_URL into one line."""
    url = make_url(database_url)
    try:
        yield
    except OSError as exc:
        where = f"{url.host or 'localhost'}:{url.port or 5432}"
        fail(
            f"Cannot reach the database at {where} ({exc.strerror or exc}); check "
            "KIRANA_DATABASE_URL and that the server is up."
        )
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None)
        text = str(exc.orig)
        if state == "3D000":
            fail(
                f'The database "{url.database}" does not exist on {url.host}: create it '
                f"(createdb {url.database}) or fix KIRANA_DATABASE_URL."
            )
        if state in ("28000", "28P01"):
            fail(
                f'The database server refused user "{url.username}": check the user and '
                "password in KIRANA_DATABASE_URL."
            )
        if state == "42P01" or "no such table" in text:
            not_migrated()
        fail(f"Database error: {text.splitlines()[0] if text else type(exc.orig).__name__}")


def not_migrated() -> NoReturn:
    fail("The database is not migrated to this version of Kirana: run `kirana migrate` first.")


def require_migrated(database_url: str) -> None:
    from kirana.kit.migrate import is_current

    with database_errors(database_url):
        current = asyncio.run(is_current(database_url))
    if not current:
        not_migrated()


def require_free_port(host: str, port: int) -> None:
    """Bind the address once (as the server will, with SO_REUSEADDR) and let it go again."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        fail(f"Cannot listen on {host!r}: {exc.strerror}.", 2)
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(
                    f"Port {port} on {host} is already in use: stop what listens there or "
                    "pass --port with another port."
                )
            fail(f"Cannot listen on {host}:{port}: {exc.strerror}.")
