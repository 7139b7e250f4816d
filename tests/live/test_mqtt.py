"""Telemetry over MQTT through a real Mosquitto of the test's own, with the dynamic-security
plugin: each rider publishes as itself to its own topic only, with credentials Kirana issues
and revokes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiomqtt
import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager

from kirana.config import Settings
from kirana.logistics import locations
from kirana.main import create_app
from tests.live.conftest import free_port
from tests.live.test_telemetry import _metric
from tests.logistics.fleet import RiderLogin, add_rider
from tests.orders.shop import make_shop

MOSQUITTO = Path("/usr/sbin/mosquitto")
PLUGIN = Path("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so")
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ADMIN, ADMIN_PASSWORD = "kirana", "kirana-broker-admin-password"


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[str]:
    """A Mosquitto on a free port whose only account is Kirana's (a dynsec administrator);
    yields Kirana's mqtt:// URL."""
    missing = [str(p) for p in (MOSQUITTO, PLUGIN) if not p.exists()]
    if not shutil.which("mosquitto_ctrl"):
        missing.append("mosquitto_ctrl")
    if missing:
        if CI:
            pytest.fail(f"MQTT tests need {', '.join(missing)} (apt-get install mosquitto)")
        pytest.skip(f"{', '.join(missing)} missing")
    dynsec = tmp_path / "dynamic-security.json"
    subprocess.run(
        ["mosquitto_ctrl", "dynsec", "init", str(dynsec), ADMIN, ADMIN_PASSWORD],
        check=True,
        capture_output=True,
    )
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\n"
        "allow_anonymous false\n"
        "persistence false\n"
        "user root\n"
        f"plugin {PLUGIN}\n"
        f"plugin_opt_config_file {dynsec}\n"
        f"log_dest file {tmp_path / 'mosquitto.log'}\n"
    )
    proc = subprocess.Popen([str(MOSQUITTO), "-c", str(conf)])
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError):
                import socket

                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                log = tmp_path / "mosquitto.log"
                raise RuntimeError(
                    f"mosquitto did not start: {log.read_text() if log.exists() else ''}"
                )
            time.sleep(0.05)
        yield f"mqtt://{ADMIN}:{ADMIN_PASSWORD}@127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.asynccontextmanager
async def _app(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        await asyncio.wait_for(app.state.live.mqtt_ready.wait(), 10)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


def _rider_client(creds: dict[str, object], **kw: object) -> aiomqtt.Client:
    return aiomqtt.Client(
        str(creds["host"]),
        int(creds["port"]),  # type: ignore[call-overload]
        username=str(creds["username"]),
        password=str(creds["password"]),
        protocol=aiomqtt.ProtocolVersion.V5,
        timeout=5,
        **kw,  # type: ignore[arg-type]
    )


async def _issue(client: httpx.AsyncClient, rider: RiderLogin) -> dict[str, object]:
    r = await client.post("/api/v1/rider/mqtt-credentials", headers=rider.headers)
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


async def _rider_id(client: httpx.AsyncClient, rider: RiderLogin) -> str:
    r = await client.post("/api/v1/rider/shift", json={"online": True}, headers=rider.headers)
    return str(r.json()["id"])


async def _wait_fix(rider_id: str, lat: float, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        fix = await locations.current().get(rider_id)
        if fix is not None and fix.lat == lat:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_rider_publishes_as_itself_only_with_credentials_kirana_issues(
    settings: Settings, mosquitto: str
) -> None:
    settings = settings.model_copy(update={"mqtt_url": mosquitto})
    async with _app(settings) as client:
        db = client.app.state.db  # type: ignore[attr-defined]
        shop = await make_shop(db, client)
        alice = await add_rider(db, client, shop.store_id, online=True)
        bob = await add_rider(db, client, shop.store_id, online=True)
        alice_id, bob_id = await _rider_id(client, alice), await _rider_id(client, bob)
        a, b = await _issue(client, alice), await _issue(client, bob)
        assert a["username"] == alice.user_id
        assert a["topic"] == f"kirana/riders/{alice.user_id}/location"

        async with _rider_client(a) as mq:
            await mq.publish(str(a["topic"]), orjson.dumps({"lat": 60.1701, "lng": 24.9401}), qos=1)
            assert await _wait_fix(alice_id, 60.1701), "alice's own report did not arrive"
            # As Bob, on Bob's topic: the broker refuses it, Kirana never sees it.
            await mq.publish(str(b["topic"]), orjson.dumps({"lat": 60.1702, "lng": 24.9402}), qos=1)
            # On her own topic but naming Bob: it reaches Kirana, which drops and counts it.
            await mq.publish(
                str(a["topic"]),
                orjson.dumps({"lat": 60.1703, "lng": 24.9403, "rider_id": bob_id}),
                qos=1,
            )
            await mq.publish(str(a["topic"]), b"not json", qos=1)
            await mq.publish(str(a["topic"]), orjson.dumps({"lat": 60.1704, "lng": 24.9404}), qos=1)
            assert await _wait_fix(alice_id, 60.1704)
        assert await locations.current().get(bob_id) is None
        assert await _metric(client, "kirana_telemetry_accepted_total", transport="mqtt") == 2
        assert (
            await _metric(
                client, "kirana_telemetry_dropped_total", transport="mqtt", reason="wrong_rider"
            )
            == 1
        )
        assert (
            await _metric(
                client, "kirana_telemetry_dropped_total", transport="mqtt", reason="out_of_range"
            )
            == 1
        )

        # Bob's own account works, and a second issue replaces its password.
        async with _rider_client(b) as mq:
            await mq.publish(str(b["topic"]), orjson.dumps({"lat": 60.171, "lng": 24.941}), qos=1)
            assert await _wait_fix(bob_id, 60.171)
        b2 = await _issue(client, bob)
        assert b2["password"] != b["password"]
        with pytest.raises(aiomqtt.MqttError):
            async with _rider_client(b):
                pass
        async with _rider_client(b2):
            pass

        # Revoked: the account is gone, a new connection is refused.
        r = await client.delete("/api/v1/rider/mqtt-credentials", headers=alice.headers)
        assert r.status_code == 204, r.text
        with pytest.raises(aiomqtt.MqttError):
            async with _rider_client(a):
                pass


async def test_mqtt_credentials_without_a_broker_are_a_clear_404(
    client: httpx.AsyncClient, db: object
) -> None:
    shop = await make_shop(db, client)  # type: ignore[arg-type]
    rider = await add_rider(db, client, shop.store_id)  # type: ignore[arg-type]
    r = await client.post("/api/v1/rider/mqtt-credentials", headers=rider.headers)
    assert (r.status_code, r.json()["code"]) == (404, "mqtt_not_configured")
