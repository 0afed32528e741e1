"""A throwaway PostgreSQL + PostGIS server for the tests and benchmarks, on 127.0.0.1 and a free port.

PostgreSQL refuses to run as root, so as root the cluster is created and started as the `postgres`
user in a temporary folder it owns. `STRIKE_ATLAS_TEST_PG_URL` may name an existing server instead.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

URL_ENV = "STRIKE_ATLAS_TEST_PG_URL"
DATABASE = "atlas_test"
APT_PACKAGES = ("postgresql-15", "postgresql-15-postgis-3")


class PgUnavailable(RuntimeError):
    """PostgreSQL (or PostGIS) is not installed here; the message says what to install."""


@dataclass
class PgServer:
    """A running server: `url` is a SQLAlchemy URL for psycopg; `stop()` shuts it down."""

    url: str
    data_dir: Path | None = None  # None for a server we did not start
    bin_dir: Path | None = None

    def stop(self) -> None:
        if self.data_dir is None:
            return
        _run_as_owner([str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir),
                       "-m", "immediate", "-w"], check=False)
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)
        self.data_dir = None


def find_bin_dir() -> Path | None:
    """The folder holding initdb/pg_ctl/postgres: Debian's versioned folder, else PATH."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def start() -> PgServer:
    """The server named by STRIKE_ATLAS_TEST_PG_URL, else a fresh local one with PostGIS enabled."""
    if os.environ.get(URL_ENV):
        url = os.environ[URL_ENV]
        _create_extension(url)
        return PgServer(url=url)
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PgUnavailable("PostgreSQL binaries (initdb, pg_ctl) not found; install the Debian packages "
                            + " ".join(APT_PACKAGES) + f", or set {URL_ENV} to an existing server")
    root = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    data_dir = root / "data"
    owner = _server_user()
    os.chmod(root, 0o700)
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    user = owner.pw_name if owner else pwd.getpwuid(os.getuid()).pw_name
    server = PgServer(url="", data_dir=data_dir, bin_dir=bin_dir)
    try:
        _run_as_owner([str(bin_dir / "initdb"), "-D", str(data_dir), "-A", "trust", "-U", user,
                       "-E", "UTF8", "--no-sync", "--no-instructions"])
        port = _free_port()
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=50 -c shared_buffers=256MB -c work_mem=32MB "
                   # As docs/postgis.md advises for a server of two cores: parallel workers only
                   # compete with the client for them (map-view queries ~15% slower with them).
                   "-c max_parallel_workers_per_gather=0")
        _run_as_owner([str(bin_dir / "pg_ctl"), "start", "-D", str(data_dir), "-w", "-t", "60",
                       "-l", str(root / "server.log"), "-o", options])
        admin = f"postgresql+psycopg://{user}@127.0.0.1:{port}/postgres"
        _execute(admin, f'CREATE DATABASE "{DATABASE}"', autocommit=True)
        server.url = f"postgresql+psycopg://{user}@127.0.0.1:{port}/{DATABASE}"
        _create_extension(server.url)
    except BaseException:
        log = root / "server.log"
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        if detail:
            raise PgUnavailable(f"PostgreSQL did not start; its log ends with:\n{detail}") from None
        raise
    return server


def _create_extension(url: str) -> None:
    try:
        _execute(url, "CREATE EXTENSION IF NOT EXISTS postgis", autocommit=True)
    except Exception as exc:
        if "postgis" in str(exc).lower() and "control" in str(exc).lower():
            raise PgUnavailable("the PostGIS extension is not installed on the server; install "
                                f"{APT_PACKAGES[1]}") from exc
        raise


def _execute(url: str, sql: str, autocommit: bool = False) -> None:
    import psycopg
    import sqlalchemy as sa
    dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=autocommit, connect_timeout=10) as conn:
        conn.execute(sql)


def _server_user() -> pwd.struct_passwd | None:
    """Root cannot run PostgreSQL: use the `postgres` account then; None means 'run as myself'."""
    if os.getuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise PgUnavailable("running as root but there is no `postgres` user to run the server as; "
                            "install " + APT_PACKAGES[0]) from None


def _run_as_owner(cmd: list[str], check: bool = True) -> subprocess.CompletedProcess:
    owner = _server_user()
    if owner is not None:
        cmd = ["runuser", "-u", owner.pw_name, "--", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
    if check and proc.returncode != 0:
        raise PgUnavailable(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr or proc.stdout}")
    return proc


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":  # start a server by hand: python tests/pg_server.py
    import time
    srv = start()
    print(srv.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()
