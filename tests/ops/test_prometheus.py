"""Debian's real Prometheus scrapes two ``kirana serve`` replicas (each of two worker
processes) with deploy/prometheus's configuration and rules, and the metrics are read back
through its query API; promtool checks the files as shipped."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import yaml

from tests.ops.servers import ROOT, free_port, need, replicas, stop, wait_until

DEPLOY = ROOT / "deploy" / "prometheus"


def test_promtool_accepts_the_shipped_config_and_rules() -> None:
    promtool = need("promtool")
    for args in (["check", "config", "prometheus.yml"], ["check", "rules", "kirana-alerts.yml"]):
        done = subprocess.run([promtool, *args], cwd=DEPLOY, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def _query(base: str, expr: str) -> list[dict[str, object]]:
    answer = httpx.get(f"{base}/api/v1/query", params={"query": expr}, timeout=5).json()
    assert answer["status"] == "success", answer
    result: list[dict[str, object]] = answer["data"]["result"]
    return result


def test_prometheus_reads_both_replicas(pg_url: str, tmp_path: Path) -> None:
    prometheus = need("prometheus")
    with replicas(pg_url, tmp_path, workers=2) as pair:
        config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
        config["global"]["scrape_interval"] = "1s"
        config["rule_files"] = [str(DEPLOY / "kirana-alerts.yml")]
        config["scrape_configs"][0]["static_configs"] = [
            {"targets": [f"127.0.0.1:{r.port}" for r in pair]}
        ]
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
        port = free_port()
        proc = subprocess.Popen(
            [
                prometheus,
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(
                lambda: httpx.get(f"{base}/-/ready", timeout=1).status_code == 200, "prometheus"
            )
            sent = 25
            for replica in pair:
                for _ in range(sent):
                    with httpx.Client() as c:  # new connections: both worker processes serve
                        assert c.get(f"{replica.base}/healthz").status_code == 200
            expr = 'sum by (instance) (kirana_http_requests_total{route="/healthz"})'
            deadline = time.monotonic() + 30
            while True:
                rows = _query(base, expr)
                counts = {str(r["metric"]["instance"]): float(r["value"][1]) for r in rows}  # type: ignore[index]
                if len(counts) == 2 and all(v >= sent for v in counts.values()):
                    break
                assert time.monotonic() < deadline, f"prometheus saw {counts}"
                time.sleep(0.5)
            up = _query(base, 'up{job="kirana-api"}')
            assert len(up) == 2 and all(r["value"][1] == "1" for r in up)  # type: ignore[index]
            assert _query(base, "kirana_outbox_backlog")  # the app's own gauges too
            assert _query(base, "kirana_http_request_duration_seconds_count")
        finally:
            stop(proc)
