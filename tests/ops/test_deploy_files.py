"""What cannot run here (containers, Kubernetes, systemd as PID 1) is at least read the way
its tool would read it: every command a file starts is a real ``kirana`` command, every file it
mounts or copies exists, every setting it sets is one Kirana has, the probes are the health
routes, and the dashboard asks only for metrics the app exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import httpx
import pytest
import yaml

from kirana.cli import app as cli
from kirana.config import Settings
from tests.ops.servers import ROOT

DEPLOY = ROOT / "deploy"
COMMANDS = {c.name or (c.callback.__name__ if c.callback else "") for c in cli.registered_commands}
SETTINGS = {f"KIRANA_{name.upper()}" for name in Settings.model_fields}


def _kirana_command(argv: list[str]) -> None:
    assert argv[0] == "kirana" and argv[1] in COMMANDS, argv


def _setting(name: str) -> None:
    assert not name.startswith("KIRANA_") or name in SETTINGS, f"{name} is not a setting"


def test_compose_file() -> None:
    compose = yaml.safe_load((DEPLOY / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "api-1", "api-2", "worker", "nginx"} <= set(services)
    for name, service in services.items():
        if service.get("image") == "kirana:latest":
            _kirana_command(service["command"])
            for key in service.get("environment", {}):
                _setting(key)
            for dependency in service.get("depends_on", {}):
                assert dependency in services, (name, dependency)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith(".") and source != "./tls":  # ./tls: the operator's own
                assert (DEPLOY / "docker" / source).resolve().exists(), (name, source)
    assert (
        services["api-1"]["command"][1] == "serve" and services["worker"]["command"][1] == "worker"
    )


def test_dockerfile_copies_what_exists_and_runs_kirana() -> None:
    text = (DEPLOY / "docker" / "Dockerfile").read_text()
    for line in text.splitlines():
        if line.startswith("COPY") and "--from" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
    cmd = json.loads(re.search(r"^CMD (.+)$", text, re.M).group(1))  # type: ignore[union-attr]
    _kirana_command(cmd)
    assert "-c constraints.txt" in text  # the pinned versions


def test_kubernetes_manifests_probe_the_health_routes() -> None:
    documents = [
        d
        for path in sorted((DEPLOY / "k8s").glob("*.yaml"))
        for d in yaml.safe_load_all(path.read_text())
        if d
    ]
    kinds = {d["kind"] for d in documents}
    assert {"Deployment", "Service", "Job", "Ingress", "ConfigMap", "Secret"} <= kinds
    for doc in documents:
        assert doc.get("apiVersion") and doc.get("metadata", {}).get("name"), doc
        if doc["kind"] == "ConfigMap":
            for key in doc["data"]:
                _setting(key)
        if doc["kind"] == "Secret":
            for key in doc["stringData"]:
                _setting(key)
        if doc["kind"] in ("Deployment", "Job"):
            for container in doc["spec"]["template"]["spec"]["containers"]:
                _kirana_command(container["command"])
                if container["command"][1] == "serve":
                    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
                    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    api = next(
        d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == "kirana-api"
    )
    assert api["spec"]["replicas"] >= 2


def test_systemd_units() -> None:
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert {u.name for u in units} >= {"kirana-api@.service", "kirana-worker.service"}
    for unit in units:
        text = unit.read_text()
        start = re.search(r"^ExecStart=(\S+) (.+)$", text, re.M)
        assert start and start.group(1).endswith("/kirana"), unit
        _kirana_command(["kirana", *start.group(2).split()])
        for assignment in re.findall(r"^Environment=(.+)$", text, re.M):
            for pair in assignment.split():
                _setting(pair.split("=")[0])
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for unit in units:
        done = subprocess.run(
            [analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True
        )
        syntax = [
            line
            for line in done.stderr.splitlines()
            if "Unknown" in line or "Invalid" in line or "Failed to parse" in line
        ]
        assert not syntax, syntax


async def test_the_dashboard_asks_for_metrics_the_app_exports(client: httpx.AsyncClient) -> None:
    exported = {
        line.split()[2]
        for line in (await client.get("/metrics")).text.splitlines()
        if line.startswith("# TYPE")
    }
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "kirana.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    alerts = yaml.safe_load((DEPLOY / "prometheus" / "kirana-alerts.yml").read_text())
    exprs += [r["expr"] for g in alerts["groups"] for r in g["rules"]]
    for expr in exprs:
        for name in re.findall(r"\b(kirana_[a-z_]+)", expr):
            base = re.sub(r"_(bucket|count|sum|total)$", "", name)
            assert name in exported or base in exported, f"{name} in {expr!r}"
