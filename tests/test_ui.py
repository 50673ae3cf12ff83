"""`revops ui` serves the Dagster UI on 127.0.0.1 with the whole asset graph."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

QUERY = b'{"query": "{ assetNodes { assetKey { path } } }"}'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def asset_keys(port: int) -> list[list[str]] | None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=QUERY, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            nodes = json.load(response)["data"]["assetNodes"]
    except (OSError, KeyError, TypeError, ValueError):
        return None
    return [node["assetKey"]["path"] for node in nodes] or None


@pytest.mark.slow
def test_ui_shows_the_asset_graph(manifest, tmp_path):
    port = free_port()
    revops = Path(sys.executable).with_name("revops")
    environment = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    # Own process group, default SIGINT: `dagster dev` in the background ignores an inherited SIG_IGN.
    process = subprocess.Popen(
        [str(revops), "ui", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 120
        keys = None
        while keys is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(2)
            keys = asset_keys(port)
        assert keys is not None, "the UI did not answer within 2 minutes"
        assert ["raw", "lead"] in keys
        assert ["staging", "stg_salesforce__lead"] in keys
        assert ["landing", "export_snapshot"] in keys
        assert (tmp_path / "dagster_home" / "dagster.yaml").exists()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
