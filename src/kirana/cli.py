"""The ``kirana`` command line."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from kirana.config import Settings, get_settings
from kirana.kit import market
from kirana.preflight import database_errors, fail, require_free_port, require_migrated

app = typer.Typer(
    help="Kirana: open-source quick commerce. `kirana up` runs everything on one machine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _settings() -> Settings:
    """The settings, with the market they name in force (phone numbers are read in its region)."""
    try:
        settings = get_settings()
    except ValidationError as exc:  # one line per wrong setting, saying what to do
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            where = ".".join(map(str, error["loc"]))
            line = f"KIRANA_{where.upper()}: {message}" if where else message
            typer.secho(f"Configuration error: {line}", fg="red", err=True)
        raise typer.Exit(2) from exc
    market.configure(settings.market)
    return settings


def _ensure_sqlite_dir(settings: Settings) -> None:
    if settings.is_sqlite and ":///" in settings.database_url:
        path = settings.database_url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


def _migrate(settings: Settings) -> None:
    from kirana.kit.migrate import upgrade

    _ensure_sqlite_dir(settings)
    typer.echo("Applying database migrations ...")
    with database_errors(settings.database_url):
        upgrade(settings.database_url)


async def _database_is_empty(settings: Settings) -> bool:
    from sqlalchemy import func, select

    from kirana.catalog.models import Store
    from kirana.kit.db import Database

    db = Database(settings.database_url, pool_size=1)
    try:
        async with db.transaction(write=False) as session:
            return (await session.scalar(select(func.count()).select_from(Store))) == 0
    finally:
        await db.dispose()


DEMO_IN_PRODUCTION = (
    "the demo city's logins are public, so it is never loaded with KIRANA_ENV=production; "
    "make the first admin with `kirana createuser --role admin`"
)


def _seed(settings: Settings) -> None:
    from kirana.seed.demo import print_logins, seed_demo

    logins = asyncio.run(seed_demo(settings))
    print_logins(logins)


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    _migrate(_settings())
    typer.secho("Database is up to date.", fg="green")


@app.command()
def seed(demo: Annotated[bool, typer.Option("--demo", help="Load the demo city")] = False) -> None:
    """Load the demo city: stores, catalog, stock, riders and staff."""
    if not demo:
        typer.echo("Nothing to do: pass --demo to load the demo city.")
        raise typer.Exit(0)
    settings = _settings()
    from kirana.seed.demo import market_mismatch

    refusal = DEMO_IN_PRODUCTION if settings.env == "production" else market_mismatch(settings)
    if refusal:
        typer.secho(f"Configuration error: {refusal}", fg="red", err=True)
        raise typer.Exit(2)
    _migrate(settings)
    _seed(settings)


@app.command()
def up(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    no_demo: Annotated[bool, typer.Option("--no-demo", help="Do not load the demo city")] = False,
) -> None:
    """Migrate, load the demo city on an empty database, and serve API, web app and workers."""
    settings = _settings()
    require_free_port(host, port)
    _migrate(settings)
    if settings.env == "production":
        typer.echo("KIRANA_ENV=production: the demo city is not loaded (it has public logins).")
    else:
        with database_errors(settings.database_url):
            empty = asyncio.run(_database_is_empty(settings))
        if not no_demo and empty:
            from kirana.seed.demo import market_mismatch

            if (mismatch := market_mismatch(settings)) is None:
                _seed(settings)
            else:
                typer.echo(f"The demo city is not loaded: {mismatch}.")
    if settings.maps_router == "local":
        from kirana import maps

        maps.city(settings)  # the street graph: built (with progress) on a first run, else read
    _serve(host, port, workers=1, run_workers=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes", min=1)] = 1,
) -> None:
    """Serve the API only (production: run `kirana worker` beside it)."""
    settings = _settings()
    require_free_port(host, port)
    require_migrated(settings.database_url)
    _serve(host, port, workers=workers, run_workers=False)


def _serve(host: str, port: int, *, workers: int, run_workers: bool) -> None:
    import uvicorn

    from kirana.kit.serving import NoDelayHttpToolsProtocol

    os.environ["KIRANA_RUN_WORKERS"] = "true" if run_workers else "false"
    if "KIRANA_PUBLIC_BASE_URL" not in os.environ:
        # The sandbox gateway calls our webhook back at this address.
        local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        os.environ["KIRANA_PUBLIC_BASE_URL"] = f"http://{local}:{port}"
    get_settings.cache_clear()
    settings = get_settings()
    from kirana.kit.telemetry import MULTIPROCESS_DIR, configure_logging, prepare_multiprocess_dir

    if workers > 1 and MULTIPROCESS_DIR not in os.environ:
        # N processes behind one port: /metrics, served by any one, adds up all of them.
        prepare_multiprocess_dir(Path("var") / "metrics" / f"serve-{port}")
    json_logs = settings.log_format == "json"
    if json_logs:
        configure_logging(settings.log_level, json=True)
    typer.secho(
        f"Kirana is up at http://{host}:{port}  (API docs: http://{host}:{port}/docs)", fg="green"
    )
    uvicorn.run(
        "kirana.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level,
        # JSON logs: uvicorn's own lines go through the same structlog formatter.
        log_config=None if json_logs else uvicorn.config.LOGGING_CONFIG,
        access_log=False,  # kit.telemetry writes one line a request, with its request id
        loop=settings.event_loop,
        http=NoDelayHttpToolsProtocol,
        # A worker still importing on a busy machine is not a dead one (uvicorn's default of
        # 5 s killed and restarted workers over and over at a load of 12 on two cores).
        timeout_worker_healthcheck=30,
        # The app reads proxy headers itself, from KIRANA_TRUSTED_PROXIES only (kit.proxies).
        proxy_headers=False,
    )


@app.command()
def worker() -> None:
    """Run the event relay, consumers and scheduled jobs (production)."""
    from kirana.kit.db import Database
    from kirana.live.runtime import Live
    from kirana.operations import Metrics
    from kirana.worker import embedded

    settings = _settings()

    async def _run() -> None:
        db = Database(settings.database_url, pool_size=settings.db_pool_size)
        # The worker publishes to the live channels (through Redis when it is set); the API
        # processes hold the sockets and the MQTT bridge.
        live = Live(settings, db, Metrics())
        await live.start(mqtt=False)
        jobs = embedded.start(db, settings)
        # Ctrl-C or SIGTERM (systemd, Kubernetes) ask the jobs to finish their round and stop.
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, jobs.stopping.set)
        typer.echo(f"Worker running {len(jobs.tasks)} jobs; Ctrl-C to stop.")
        try:
            await asyncio.gather(*jobs.tasks)
        finally:
            await embedded.stop(jobs)
            await live.stop()
            await db.dispose()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run())


@app.command("vapid-keys")
def vapid_keys() -> None:
    """Print a new Web Push (VAPID) key pair: the private key for KIRANA_VAPID_PRIVATE_KEY."""
    from kirana.kit.webpush_keys import new_private_key, public_key_of

    private = new_private_key()
    typer.echo(f"KIRANA_VAPID_PRIVATE_KEY={private}")
    typer.echo(
        f"# public key (served to browsers by /api/v1/notifications/push-config): {public_key_of(private)}"
    )


@app.command()
def createuser(
    role: Annotated[str, typer.Option(help="customer, store_staff, rider or admin")],
    phone: Annotated[
        str,
        typer.Option(
            help="Phone number: E.164 (+<country><number>), or national in KIRANA_PHONE_REGION"
        ),
    ],
    password: Annotated[
        str | None,
        typer.Option(
            help="At least 8 characters; `-` reads it from standard input; omitted, it is asked for"
        ),
    ] = None,
    name: Annotated[str, typer.Option(help="Display name")] = "",
    store: Annotated[
        str | None, typer.Option("--store", help="Store id (store_staff, rider)")
    ] = None,
    vehicle: Annotated[str, typer.Option(help="Rider's vehicle")] = "scooter",
) -> None:
    """Make a user and print its id."""
    from kirana.users.schemas import RegisterIn

    settings = _settings()
    if role in ("store_staff", "rider") and not store:
        fail(f"--store STORE_ID is required for {role}", 2)
    require_migrated(settings.database_url)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    elif password == "-":
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        data = RegisterIn(
            phone=phone, password=password, name=name or role.replace("_", " ").title()
        )
    except ValidationError as exc:
        for err in exc.errors():
            typer.secho(f"{'.'.join(map(str, err['loc']))}: {err['msg']}", fg="red", err=True)
        raise typer.Exit(2) from exc

    async def _create() -> str:
        from kirana.catalog.models import Store
        from kirana.kit.db import Database
        from kirana.logistics import service as logistics
        from kirana.users import service as users

        db = Database(settings.database_url, pool_size=1)
        try:
            async with db.transaction() as session:
                if store and await session.get(Store, store) is None:
                    raise typer.BadParameter(f"no store with id {store}", param_hint="--store")
                user = await users.create_user(
                    session,
                    phone=data.phone,
                    password=data.password,
                    name=data.name,
                    role=role,
                    store_id=store if role in ("store_staff", "rider") else None,
                )
                if role == "rider" and store:
                    await logistics.create_rider(
                        session, user_id=user.id, store_id=store, vehicle=vehicle
                    )
                return user.id
        finally:
            await db.dispose()

    from kirana.kit.errors import KiranaError

    try:
        with database_errors(settings.database_url):
            user_id = asyncio.run(_create())
    except KiranaError as exc:
        if exc.code == "phone_taken":
            fail(f"A user with the phone number {data.phone} already exists.")
        fail(exc.detail)
    except typer.BadParameter as exc:
        fail(str(exc), 2)
    typer.echo(user_id)


@app.command()
def simulate(
    stores: Annotated[int, typer.Option(help="Dark stores in the city")] = 3,
    riders: Annotated[
        int, typer.Option(help="Riders in the city, shared out among the stores")
    ] = 18,
    pickers: Annotated[int, typer.Option(help="Pickers in each store")] = 3,
    orders_per_hour: Annotated[
        float, typer.Option(help="Orders an hour on average, shaped by Instacart's day")
    ] = 120.0,
    hours: Annotated[float, typer.Option(help="Simulated hours of ordering")] = 2.0,
    speed: Annotated[float, typer.Option(help="Virtual seconds per wall second, at most")] = 60.0,
    strategy: Annotated[str, typer.Option(help="Dispatch: nearest or batched")] = "nearest",
    compare: Annotated[
        str | None, typer.Option(help="Run several strategies on the same demand: nearest,batched")
    ] = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same result")] = 1,
    out: Annotated[
        Path | None, typer.Option(help="Report folder (default: a new one in the reports folder)")
    ] = None,
) -> None:
    """Run the city simulator on a virtual clock; writes DIR/report.html and DIR/metrics.json."""
    from kirana.simulate.options import BadOptions, Options, strategies

    settings = _settings()
    try:
        options = Options(
            stores=stores,
            riders=riders,
            pickers=pickers,
            orders_per_hour=orders_per_hour,
            hours=hours,
            speed=speed,
            strategies=strategies(strategy, compare),
            seed=seed,
        )
        options.check(settings)
    except BadOptions as exc:
        fail(f"kirana simulate: {exc}", 2)
    from kirana.simulate.command import SimulationFailed, run

    try:
        run(settings, options, out, show_progress=sys.stderr.isatty())
    except SimulationFailed as exc:
        fail(f"kirana simulate: {exc}")
    except KeyboardInterrupt:
        fail("kirana simulate: interrupted; no report written", 130)


@app.command()
def openapi(
    out: Annotated[Path, typer.Option(help="Where to write the OpenAPI JSON")] = Path(
        "openapi.json"
    ),
) -> None:
    """Write the OpenAPI document (the web client is generated from it)."""
    import orjson

    from kirana.main import create_app

    doc = create_app(_settings()).openapi()
    out.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
    typer.echo(f"wrote {out}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
