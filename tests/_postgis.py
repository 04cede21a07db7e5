"""A throwaway PostgreSQL + PostGIS cluster for the test session.

Imported as a pytest plugin by the tests that need it (``pytest_plugins = ["tests._postgis"]``
does not work from non-root conftest files, so the tests import the fixtures directly). The
cluster lives in a temporary directory, listens on a free port on 127.0.0.1 only, trusts local
connections and is stopped at the end of the session. As root, ``initdb``/``pg_ctl`` run as the
``postgres`` user (PostgreSQL refuses to run as root).

Under ``CI=true`` a missing PostgreSQL/PostGIS makes these tests fail; elsewhere they skip.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import require_component


def _pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _postgis_available(bindir: Path) -> bool:
    try:
        out = subprocess.run([str(bindir / "pg_config"), "--sharedir"], capture_output=True,
                             text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = ""
    share = Path(out) if out else None
    if share is None or not (share / "extension").exists():
        ver = bindir.parent.name
        share = Path(f"/usr/share/postgresql/{ver}")
    return any((share / "extension").glob("postgis.control"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgCluster:
    host: str
    port: int
    user: str
    datadir: Path
    bindir: Path | None = None
    base: Path | None = None
    durable: bool = False  # commits survive an immediate stop (synchronous_commit on)

    def url(self, dbname: str, *, user: str | None = None, **params: str) -> str:
        q = "&".join(f"{k}={v}" for k, v in params.items())
        return (f"postgresql://{user or self.user}@{self.host}:{self.port}/{dbname}"
                + (f"?{q}" if q else ""))

    def start(self) -> None:
        """Start the server (again); waits until it accepts connections."""
        assert self.bindir is not None and self.base is not None
        opts = (f"-p {self.port} -k {self.base / 'sock'} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c full_page_writes=off"
                + ("" if self.durable else " -c synchronous_commit=off"))
        subprocess.run(_as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o",
                                     opts, "-l", str(self.base / "log"), "-w", "start"]),
                       check=True, capture_output=True, cwd=self.base)

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server (``immediate``: as if it vanished, no shutdown checkpoint)."""
        assert self.bindir is not None and self.base is not None
        subprocess.run(_as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m",
                                     mode, "-w", "stop"]), capture_output=True, cwd=self.base)

    def remove(self) -> None:
        self.stop()
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)

    def create_login(self, name: str) -> str:
        """A login role (trust authentication) of the cluster; returns its name."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
                conn.execute(f'CREATE ROLE "{name}" LOGIN')
        return name

    def create_database(self, postgis: bool = True) -> str:
        """A fresh database (with the PostGIS extension); returns its name."""
        import psycopg

        name = "zlt_" + uuid.uuid4().hex[:10]
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        if postgis:
            with psycopg.connect(self.url(name), autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return name


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *cmd]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(cmd)]


def _require_postgres() -> Path:
    bindir = _pg_bindir()
    require_component("PostgreSQL/PostGIS", bindir is not None,
                      "pg_ctl not found; apt-get install postgresql-15 postgresql-15-postgis-3")
    assert bindir is not None
    require_component("PostgreSQL/PostGIS", _postgis_available(bindir),
                      "the PostGIS extension is not installed; "
                      "apt-get install postgresql-15-postgis-3")
    if os.geteuid() == 0:
        import pwd
        try:
            pwd.getpwnam("postgres")
            have = True
        except KeyError:
            have = False
        require_component("PostgreSQL/PostGIS", have,
                          "running as root needs the 'postgres' user to own the cluster")
    return bindir


def start_cluster(*, durable: bool = False) -> PgCluster:
    """initdb and start a throwaway cluster on a free port (``cluster.remove()`` ends it).

    ``durable``: a commit survives ``stop("immediate")`` (the server process killed; the
    machine itself does not crash, so ``fsync`` stays off).
    """
    bindir = _require_postgres()
    base = Path(tempfile.mkdtemp(prefix="zlt-pg-"))
    datadir = base / "data"
    sockdir = base / "sock"
    sockdir.mkdir()
    if os.geteuid() == 0:
        import pwd
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        os.chown(sockdir, pw.pw_uid, pw.pw_gid)
    cluster = PgCluster("127.0.0.1", _free_port(), "postgres", datadir, bindir, base, durable)
    try:
        subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres",
                                     "-A", "trust", "--no-sync", "-E", "UTF8",
                                     "--locale=C"]),
                       check=True, capture_output=True, cwd=base)
        cluster.start()
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        require_component("PostgreSQL/PostGIS", False,
                          f"the throwaway cluster did not start: {exc.stderr!r}")
    return cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """Start a throwaway cluster for the session; stop and remove it afterwards."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    """URL of a fresh PostGIS database (not yet initialised by ``db init``)."""
    return pg_cluster.url(pg_cluster.create_database())
