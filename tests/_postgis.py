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

    def url(self, dbname: str, **params: str) -> str:
        q = "&".join(f"{k}={v}" for k, v in params.items())
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}" + (f"?{q}" if q else "")

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


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """Start a throwaway cluster for the session; stop and remove it afterwards."""
    bindir = _pg_bindir()
    require_component("PostgreSQL/PostGIS", bindir is not None,
                      "pg_ctl not found; apt-get install postgresql-15 postgresql-15-postgis-3")
    assert bindir is not None
    require_component("PostgreSQL/PostGIS", _postgis_available(bindir),
                      "the PostGIS extension is not installed; apt-get install postgresql-15-postgis-3")
    if os.geteuid() == 0:
        import pwd
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pw = None
        require_component("PostgreSQL/PostGIS", pw is not None,
                          "running as root needs the 'postgres' user to own the cluster")
    base = Path(tempfile.mkdtemp(prefix="zlt-pg-"))
    datadir = base / "data"
    sockdir = base / "sock"
    sockdir.mkdir()
    if os.geteuid() == 0:
        os.chown(base, pw.pw_uid, pw.pw_gid)
        os.chown(sockdir, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    try:
        subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres",
                                     "-A", "trust", "--no-sync", "-E", "UTF8",
                                     "--locale=C"]),
                       check=True, capture_output=True, cwd=base)
        opts = (f"-p {port} -k {sockdir} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off")
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(datadir), "-o", opts,
                                     "-l", str(base / "log"), "-w", "start"]),
                       check=True, capture_output=True, cwd=base)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        require_component("PostgreSQL/PostGIS", False,
                          f"the throwaway cluster did not start: {exc.stderr!r}")
    cluster = PgCluster("127.0.0.1", port, "postgres", datadir)
    try:
        yield cluster
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate",
                                     "-w", "stop"]), capture_output=True, cwd=base)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    """URL of a fresh PostGIS database (not yet initialised by ``db init``)."""
    return pg_cluster.url(pg_cluster.create_database())
