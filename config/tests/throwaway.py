"""Throwaway Redis and PostgreSQL servers for the fault tests, so they can be stopped and started
again without touching the ones this machine runs."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not happen within {seconds} s")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Redis:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.started = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server, and make sure the one answering on the port is this one: tests run in parallel,
        and another process may take the port between free_port() and the bind. The first start moves to
        another port then; a restart keeps its port (clients know it) and fails instead."""
        for _ in range(5):
            process = self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                    "--dir",
                    str(self.directory),
                ],
                stdout=subprocess.DEVNULL,
            )
            wait_for(partial(self._listening_or_gone, process), 10, "redis start")
            if self._answering_pid() == process.pid:
                self.started = True
                return
            process.kill()
            process.wait(10)
            if self.started:
                raise RuntimeError(f"port {self.port} was taken while the throwaway Redis was down")
            self.port = free_port()
        raise RuntimeError("no free port for a throwaway Redis")

    def _listening_or_gone(self, process: subprocess.Popen[bytes]) -> bool:
        return port_open(self.port) or process.poll() is not None

    def _answering_pid(self) -> int | None:
        from redis import Redis as Client
        from redis.exceptions import RedisError

        try:
            return int(Client(port=self.port, socket_timeout=2).info("server")["process_id"])
        except (RedisError, OSError, KeyError, ValueError):
            return None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


class Postgres:
    """A PostgreSQL cluster in a temporary folder (run as the postgres user when we are root, as
    initdb refuses root)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(directory, "postgres")
            directory.chmod(0o700)

    def url(self, name: str = "medanswers") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str) -> None:
        result = subprocess.run([*self.as_user, *command], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {result.stdout}{result.stderr}")

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.directory / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self, name: str = "medanswers") -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


def unavailable_reason() -> str:
    """Why throwaway servers cannot run here ('' when they can)."""
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL 15 server binaries are not in {PG_BIN}"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start PostgreSQL as the postgres user"
    return ""


def project_env(**extra: str) -> dict[str, str]:
    """The environment of a production-like process of this checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "TASKS_"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="fault-tests-" + "k" * 40 + "abcdefgh",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_STATIC_MANIFEST="false",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def spawn(env: dict[str, str], *command: str, log: Path | None = None) -> subprocess.Popen[bytes]:
    """A process in its own group, so killing it kills its children (an RQ worker's work horse) too.
    Its output goes to `log` (a pipe nobody reads would block it once full)."""
    output = log.open("ab") if log is not None else subprocess.DEVNULL
    return subprocess.Popen(
        list(command), cwd=ROOT, env=env, start_new_session=True, stdout=output, stderr=subprocess.STDOUT
    )


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def kill_group(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Kill the process, its group and its children: an RQ work horse runs in a session of its own."""
    if process.poll() is None:
        for child in _children(process.pid):
            os.kill(child, sig)
        os.killpg(process.pid, sig)
    process.wait(20)
