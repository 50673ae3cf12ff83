"""A private PostgreSQL cluster for tests: initdb in a temporary directory, listening on
127.0.0.1 and a free port, stopped by PID afterwards. Uses the Debian `postgresql` package
(.ci/run installs it); PostgreSQL refuses to run as root, so as root it runs as `postgres`."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "revops"
PASSWORD = "revops-test"


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    data_dir: Path

    def dsn(self, user: str = SUPERUSER, password: str = PASSWORD, dbname: str = "revops") -> str:
        return f"postgresql://{user}:{password}@{self.host}:{self.port}/{dbname}"


def postgres_bin_dir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def private_postgres() -> Iterator[PostgresServer]:
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found: install Debian's postgresql package")
    root = Path(tempfile.mkdtemp(prefix="revops-pg-"))
    data_dir = root / "data"
    password_file = root / "password"
    password_file.write_text(PASSWORD)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(password_file, "postgres", "postgres")
    port = _free_port()
    server = PostgresServer("127.0.0.1", port, data_dir)
    initdb = [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", SUPERUSER, f"--pwfile={password_file}"]
    initdb += ["--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-locale"]
    subprocess.run(_as_server_user(initdb), check=True, capture_output=True)
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off"
    start = [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-o", options, "-l", str(root / "server.log"), "-w", "start"]
    subprocess.run(_as_server_user(start), check=True, capture_output=True)
    try:
        import psycopg

        with psycopg.connect(server.dsn(dbname="postgres"), autocommit=True) as conn:
            conn.execute("create database revops")
        yield server
    finally:
        pid_file = data_dir / "postmaster.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, signal.SIGINT)  # fast shutdown
            for _ in range(100):
                if not pid_file.exists():
                    break
                time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)
