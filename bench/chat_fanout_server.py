"""The server side of bench/chat_fanout.py: uvicorn, its environment, py-spy, and the
CPU and memory of the processes the report names."""

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

# Production settings, but static URLs without the manifest: `collectstatic` fails today
# (static/vendor/hls/hls.min.js names a source map that `make assets` does not copy), and
# the welcome frame names emote images by their static URL.
# BENCH_SWITCH_INTERVAL sets how long a thread may hold the GIL while another waits.
BENCH_SETTINGS = """import os
import sys

from {base} import *  # noqa: F403

STORAGES = {{**STORAGES, "staticfiles": {{  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}}}
if os.environ.get("BENCH_SWITCH_INTERVAL"):
    sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
"""


def server_environment(args, database_url: str, var_dir: Path) -> dict:
    """What the app's processes see: production settings, loopback hosts, quiet logs."""
    (var_dir / "halobuzz_bench_settings.py").write_text(BENCH_SETTINGS.format(base=args.settings))
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(var_dir), str(ROOT)]),
        "HALOBUZZ_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "halobuzz_bench_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": HOST,
        "EMAIL_URL": "consolemail://",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "CHAT_MESSAGES_PER_SECOND": str(max(1.0, args.rate)),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(args, layer: str, environment: dict, port: int, log) -> subprocess.Popen:
    command = [str(ROOT / ".venv/bin/uvicorn"), "halobuzz.asgi:application"]
    command += ["--host", HOST, "--port", str(port), "--lifespan", "off", "--no-access-log"]
    command += ["--workers", str(args.workers), "--ws", args.ws, "--loop", args.loop]
    command += ["--http", args.http, "--ws-per-message-deflate", args.server_deflate]
    if args.pin:
        command = ["taskset", "-c", args.pin.split("/")[0], *command]
    extra = dict(item.split("=", 1) for item in args.server_env)
    environment = {**environment, "CHANNEL_LAYER_BACKEND": layer, **extra}
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)  # noqa: S603
    deadline, url = time.monotonic() + 60, f"http://{HOST}:{port}/healthz"
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                time.sleep(0.5 * args.workers)  # the other workers start too
                return server
        time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"uvicorn did not start (log: {log.name})")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def processes_of(pid: int) -> list:
    import psutil

    parent = psutil.Process(pid)
    return [parent, *parent.children(recursive=True)]


def cpu_times(processes) -> dict[int, float]:
    """CPU seconds by pid; a process's reaped children count for it (PostgreSQL forks a
    backend per connection, and most of them end before the run does)."""
    times = {}
    for process in processes:
        with contextlib.suppress(Exception):  # it may have exited
            used = process.cpu_times()
            times[process.pid] = used.user + used.system + used.children_user
            times[process.pid] += used.children_system
    return times


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """Seconds used in between by the processes seen at the end (new ones from zero)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def rss_bytes(processes) -> int:
    return sum(process.memory_info().rss for process in processes)


def watched_processes(server_processes, client_processes) -> dict:
    """The processes whose CPU the report shows: ours, Redis and PostgreSQL (all of its
    processes: other databases on the server count as PostgreSQL too)."""
    import psutil

    found = {"server": server_processes, "clients": client_processes, "redis": [],
             "postgres": [], "bench": [psutil.Process()]}  # fmt: skip
    for process in psutil.process_iter(["name"]):
        name = process.info["name"] or ""
        if name.startswith("redis-server"):
            found["redis"].append(process)
        elif name.startswith("postgres"):
            found["postgres"].append(process)
    return found


class CpuMeter:
    """CPU of every watched group, and of the whole machine, between start and stop."""

    def __init__(self, server_processes, client_processes):
        import psutil

        self.groups = lambda: watched_processes(server_processes, client_processes)
        self.before = {name: cpu_times(group) for name, group in self.groups().items()}
        self.machine_before, self.started = psutil.cpu_times(), time.monotonic()

    def stop(self) -> dict[str, float]:
        """Percent of one core per group, "machine" and "other work" (the rest)."""
        import psutil

        after = {name: cpu_times(group) for name, group in self.groups().items()}
        machine_after, wall = psutil.cpu_times(), time.monotonic() - self.started
        busy = lambda t: t.user + t.nice + t.system + t.irq + t.softirq + t.steal  # noqa: E731
        cpu = {name: cpu_used(self.before[name], after[name]) / wall * 100 for name in after}
        ours = sum(cpu.values())
        cpu["machine"] = (busy(machine_after) - busy(self.machine_before)) / wall * 100
        cpu["other work"] = max(0.0, cpu["machine"] - ours)
        return cpu


def wait_for_quiet_machine(limit: float = 15, patience: float = 600) -> float:
    """Other work on the machine skews every figure: wait (bounded) for idle CPUs."""
    import psutil

    deadline = time.monotonic() + patience
    while (busy := psutil.cpu_percent(interval=3)) > limit and time.monotonic() < deadline:
        print(f"  waiting for a quiet machine (CPU {busy:.0f} % busy)", file=sys.stderr)
    return busy


class Profiler:
    """py-spy on the process serving the room (a worker, not uvicorn's supervisor), in
    its raw format (one line per distinct stack, with thread names)."""

    def __init__(self, server_processes, output: Path, seconds: float):
        py_spy = shutil.which("py-spy") or str(ROOT / ".venv/bin/py-spy")
        output.parent.mkdir(parents=True, exist_ok=True)
        command = [py_spy, "record", "--pid", str(server_processes[-1].pid)]
        command += ["--duration", str(int(seconds)), "--rate", "100", "--format", "raw"]
        command += ["--threads", "--nonblocking", "-o", str(output)]
        self.output = output
        self.process = subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def wait(self) -> None:
        self.process.wait(120)
