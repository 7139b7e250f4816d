"""Rider telemetry over MQTT: the bridge that reads the riders' topics, and their accounts.

Each rider has an account of its own on the broker (Mosquitto's dynamic-security plugin):
username its Kirana user id, a random password Kirana hands out once, and a role of its own
that allows publishing to exactly one topic, ``<prefix>/<user id>/location``. The plugin's
default denies every other publish, so a rider cannot report as another: the broker drops it
before Kirana sees it. ``issue()`` creates the account or gives it a new password; ``revoke()``
deletes it (the broker disconnects a deleted client at once).

Kirana's own account (``KIRANA_MQTT_URL``) is a dynamic-security administrator: it sends those
commands to ``$CONTROL/dynamic-security/v1`` and reads every rider topic through a shared
subscription (``$share/kirana/...``), so several API processes split the reports between them
rather than each ingesting every one.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiomqtt
import orjson

from kirana.kit.errors import KiranaError, ServiceUnavailable

if TYPE_CHECKING:
    from kirana.live.runtime import Live

log = logging.getLogger("kirana.mqtt")

CONTROL = "$CONTROL/dynamic-security/v1"
SHARE_GROUP = "kirana"


@dataclass(frozen=True, slots=True)
class Broker:
    host: str
    port: int
    username: str | None
    password: str | None


def parse_url(url: str) -> Broker:
    """``mqtt://USER:PASSWORD@HOST:PORT`` (port 1883 if not given)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
        raise ValueError("write the MQTT address as mqtt://USER:PASSWORD@HOST:PORT")
    return Broker(parts.hostname, parts.port or 1883, parts.username, parts.password)


def rider_topic(prefix: str, user_id: str) -> str:
    return f"{prefix}/{user_id}/location"


def _role(user_id: str) -> str:
    return f"kirana-rider-{user_id}"


class CommandFailed(KiranaError):
    status, code, title = 503, "mqtt_command_failed", "The MQTT broker refused"


def _client(broker: Broker, name: str) -> aiomqtt.Client:
    return aiomqtt.Client(
        broker.host,
        broker.port,
        username=broker.username,
        password=broker.password,
        identifier=f"{name}-{uuid.uuid4().hex[:12]}",
        protocol=aiomqtt.ProtocolVersion.V5,
        timeout=5,
    )


async def control(url: str, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send dynamic-security commands and return the broker's answers, one per command."""
    broker = parse_url(url)
    try:
        async with _client(broker, "kirana-admin") as client:
            await client.subscribe(f"{CONTROL}/response", qos=1)
            await client.publish(CONTROL, orjson.dumps({"commands": commands}), qos=1)
            async with asyncio.timeout(5):
                async for message in client.messages:
                    body = orjson.loads(bytes(message.payload))
                    responses: list[dict[str, Any]] = body.get("responses", [])
                    return responses
    except (aiomqtt.MqttError, TimeoutError, OSError) as exc:
        raise ServiceUnavailable(
            f"The MQTT broker at {broker.host}:{broker.port} did not answer ({exc}); "
            "check that Mosquitto runs with the dynamic-security plugin",
            code="mqtt_unreachable",
        ) from exc
    raise ServiceUnavailable("The MQTT broker closed the connection", code="mqtt_unreachable")


def _check(responses: list[dict[str, Any]], allowed: tuple[str, ...] = ()) -> None:
    for response in responses:
        error = response.get("error")
        if error and not any(a in str(error) for a in allowed):
            raise CommandFailed(f"{response.get('command')}: {error}")


async def issue(url: str, topic_prefix: str, user_id: str) -> str:
    """Create the rider's account (or give it a new password); returns the password."""
    password = secrets.token_urlsafe(24)
    role = _role(user_id)
    acl = {
        "acltype": "publishClientSend",
        "topic": rider_topic(topic_prefix, user_id),
        "priority": 0,
        "allow": True,
    }
    responses = await control(
        url,
        [
            {"command": "createRole", "rolename": role, "acls": [acl]},
            {
                "command": "createClient",
                "username": user_id,
                "password": password,
                "roles": [{"rolename": role}],
            },
        ],
    )
    _check(responses, allowed=("already exists",))
    if any("already exists" in str(r.get("error", "")) for r in responses[1:]):
        _check(
            await control(
                url,
                [
                    {"command": "setClientPassword", "username": user_id, "password": password},
                    {"command": "enableClient", "username": user_id},
                ],
            ),
            allowed=("already",),
        )
    return password


async def revoke(url: str, user_id: str) -> None:
    """Delete the rider's account and role; the broker disconnects it if connected."""
    responses = await control(
        url,
        [
            {"command": "deleteClient", "username": user_id},
            {"command": "deleteRole", "rolename": _role(user_id)},
        ],
    )
    _check(responses, allowed=("not found",))


async def run_bridge(live: Live) -> None:
    """Read every rider's topic and ingest the reports; reconnect when the broker goes away."""
    from kirana.live import telemetry

    assert live.settings.mqtt_url
    broker = parse_url(live.settings.mqtt_url)
    prefix = live.settings.mqtt_topic_prefix
    pattern = f"$share/{SHARE_GROUP}/{prefix}/+/location"
    delay = 0.5
    while True:
        try:
            async with _client(broker, "kirana-bridge") as client:
                await client.subscribe(pattern, qos=0)
                live.mqtt_ready.set()
                delay = 0.5
                async for message in client.messages:
                    user_id = str(message.topic).removeprefix(f"{prefix}/").split("/", 1)[0]
                    await _ingest(live, user_id, message.payload, telemetry)
        except asyncio.CancelledError:
            raise
        except (aiomqtt.MqttError, OSError) as exc:
            live.mqtt_ready.clear()
            log.warning("MQTT bridge lost the broker (%s); reconnecting", exc)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 10.0)


async def _ingest(live: Live, user_id: str, payload: Any, telemetry: Any) -> None:
    try:
        report = telemetry.parse_report(orjson.loads(bytes(payload)))
    except (orjson.JSONDecodeError, TypeError):
        live.metrics.telemetry_dropped.labels("mqtt", "out_of_range").inc()
        return
    except telemetry.Dropped as dropped:
        live.metrics.telemetry_dropped.labels("mqtt", dropped.reason).inc()
        return
    try:
        await telemetry.ingest(live, user_id, report, "mqtt")
    except telemetry.Dropped:
        return  # counted
    except Exception:
        log.exception("MQTT report of %s failed", user_id)
