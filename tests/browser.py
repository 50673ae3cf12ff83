"""Headless Chromium (Debian's chromium package; .ci/run installs it) for rendering pages in tests."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise RuntimeError("chromium not found: install Debian's chromium package (.ci/run does)")
    return found


def _run(url: str, extra: list[str], timeout: int = 120) -> str:
    with tempfile.TemporaryDirectory(prefix="revops-chromium-") as profile:
        command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def rendered_dom(url: str, budget_ms: int = 15000) -> str:
    """The DOM after the page's scripts ran for `budget_ms` of virtual time."""
    return _run(url, [f"--virtual-time-budget={budget_ms}", "--dump-dom"])


def screenshot(url: str, path: Path, width: int = 1400, height: int = 2400) -> Path:
    _run(url, [f"--screenshot={path}", f"--window-size={width},{height}", "--hide-scrollbars"])
    return path
