"""deploy/nginx in real nginx, in front of two real ``kirana serve`` replicas over PostgreSQL:
TLS, the redirect to HTTPS, both replicas sharing the traffic, a replica killed and brought
back while clients keep being served, gzip and caching headers, /metrics kept private."""

from __future__ import annotations

import asyncio
import os
import re
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from string import Template

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.ops.servers import ROOT, Replica, free_port, metric_sum, need, replicas, stop, wait_until

TEMPLATE = ROOT / "deploy" / "nginx" / "kirana.conf.template"


def tls(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


def make_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subject = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
    subprocess.run(
        [
            need("openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            *subject,
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def render(directory: Path, upstreams: list[int], cert: Path, key: Path) -> tuple[Path, int, int]:
    """The site file from the template (as envsubst would render it) and a main nginx.conf
    that keeps every file nginx writes in ``directory``."""
    http_port, https_port = free_port(), free_port()
    site = Template(TEMPLATE.read_text()).safe_substitute(
        KIRANA_UPSTREAM_1=f"127.0.0.1:{upstreams[0]}",
        KIRANA_UPSTREAM_2=f"127.0.0.1:{upstreams[1]}",
        KIRANA_SERVER_NAME="localhost",
        KIRANA_HTTP_PORT=str(http_port),
        KIRANA_HTTPS_PORT=str(https_port),
        KIRANA_TLS_CERT=str(cert),
        KIRANA_TLS_KEY=str(key),
    )
    settings = [line for line in site.splitlines() if not line.lstrip().startswith("#")]
    assert not any("${KIRANA_" in line for line in settings), "a placeholder left unfilled"
    (directory / "kirana.conf").write_text(site)
    temp = "".join(
        f"  {kind}_temp_path {directory}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root root;\n" if os.geteuid() == 0 else ""
    conf = directory / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\npid {directory}/nginx.pid;\n"
        f"error_log {directory}/error.log warn;\nevents {{ worker_connections 512; }}\n"
        f"http {{\n  access_log {directory}/access.log;\n{temp}"
        f"  include /etc/nginx/mime.types;\n  include {directory}/kirana.conf;\n}}\n"
    )
    return conf, http_port, https_port


@contextmanager
def nginx_in_front(directory: Path, ports: list[int]) -> Iterator[tuple[str, int, Path]]:
    """Debian's nginx with the deploy/ site in front of the replicas on ``ports``: yields the
    HTTPS base URL, the plain HTTP port and the self-signed certificate it serves."""
    nginx_binary = need("nginx")
    cert, key = make_certificate(directory)
    conf, http_port, https_port = render(directory, ports, cert, key)
    check = subprocess.run(
        [nginx_binary, "-t", "-p", str(directory), "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(
        [nginx_binary, "-p", str(directory), "-c", str(conf), "-g", "daemon off;"],
        start_new_session=True,
        stderr=subprocess.PIPE,
    )
    base = f"https://localhost:{https_port}"
    try:
        wait_until(
            lambda: httpx.get(f"{base}/healthz", verify=tls(cert), timeout=1).status_code == 200,
            "nginx",
        )
        yield base, http_port, cert
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def stack(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[list[Replica], str, int, Path]]:
    """Two replicas and nginx, shared by this module's tests (each leaves them as it found
    them)."""
    tmp_path = tmp_path_factory.mktemp("nginx")
    with (
        replicas(pg_url, tmp_path, KIRANA_TRUSTED_PROXIES="127.0.0.1") as pair,
        nginx_in_front(tmp_path, [r.port for r in pair]) as (base, http_port, cert),
    ):
        yield pair, base, http_port, cert


def healthz_count(replica: Replica) -> float:
    text = httpx.get(f"{replica.base}/metrics", timeout=5).text
    return metric_sum(text, "kirana_http_requests_total", route="/healthz", status="200")


def test_nginx_terminates_tls_and_shares_two_replicas(
    stack: tuple[list[Replica], str, int, Path],
) -> None:
    (one, two), base, http_port, cert = stack
    plain = httpx.get(f"http://localhost:{http_port}/api/v1/categories")
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")

    with httpx.Client(base_url=base, verify=tls(cert), timeout=10) as c:
        r = c.get("/healthz")
        assert r.status_code == 200 and r.json()["status"] == "ok"
        # The app trusts nginx's X-Forwarded-Proto (KIRANA_TRUSTED_PROXIES): HSTS behind TLS.
        assert "max-age=" in r.headers.get("strict-transport-security", "")
        assert re.fullmatch("[0-9a-f]{32}", r.headers["x-request-id"])  # nginx's $request_id
        assert c.get("/metrics").status_code == 404  # scraped inside, never public

        before = [healthz_count(one), healthz_count(two)]
        for _ in range(30):
            with httpx.Client(base_url=base, verify=tls(cert)) as fresh:
                assert fresh.get("/healthz").status_code == 200
        after = [healthz_count(one), healthz_count(two)]
        assert sum(after) - sum(before) >= 30
        assert after[0] > before[0] and after[1] > before[1], "both replicas served"


def test_a_replica_killed_and_restarted_under_load(
    stack: tuple[list[Replica], str, int, Path],
) -> None:
    (one, _), base, _, cert = stack
    with httpx.Client(base_url=base, verify=tls(cert), timeout=10) as c:
        one.kill()
        answers = [c.get("/healthz").status_code for _ in range(40)]
        assert answers == [200] * 40, "nginx routes around the dead replica"
        one.start()  # the same port, as systemd's Restart=always would bring it back
        served = healthz_count(one)
        deadline = time.monotonic() + 20
        while healthz_count(one) <= served + 1:  # its own scrape counts as nothing here
            assert time.monotonic() < deadline, "the restarted replica got no traffic back"
            assert c.get("/healthz").status_code == 200
            time.sleep(0.2)


def test_gzip_and_caching_headers_for_the_web_app(
    stack: tuple[list[Replica], str, int, Path],
) -> None:
    _, base, _, cert = stack
    with httpx.Client(base_url=base, verify=tls(cert), timeout=10) as c:
        page = c.get("/", headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
        assets = sorted((ROOT / "src" / "kirana" / "static" / "app" / "assets").glob("*.js"))
        assert assets, "the web app is not built (make web)"
        biggest = max(assets, key=lambda p: p.stat().st_size)
        r = c.get(f"/assets/{biggest.name}", headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200
        assert r.headers["content-encoding"] == "gzip"
        assert "immutable" in r.headers["cache-control"]
        assert len(r.content) == biggest.stat().st_size  # httpx undid the gzip


async def test_websockets_upgrade_through_nginx(
    stack: tuple[list[Replica], str, int, Path],
) -> None:
    """The live channels pass nginx: the upgrade reaches a replica, which answers the socket
    itself (here a refusal of a bad token with its close code, 4401)."""
    _, base, _, cert = stack
    url = base.replace("https://", "wss://") + "/ws/admin/live?token=not-a-token"
    async with connect(url, ssl=tls(cert), open_timeout=10) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
