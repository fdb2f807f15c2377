"""Live room chat fan-out: N viewers on one room socket each, M chatters sending, and
how fast, how completely and at what cost every message reaches every viewer.

Usage:

    .venv/bin/python bench/chat_fanout.py --viewers 1000 --layer core pubsub
    .venv/bin/python bench/chat_fanout.py --viewers 2000 5000 --layer pubsub --json out.json

Runs the real pieces on loopback: the ASGI app under uvicorn (production settings,
PostgreSQL, the Redis channel layer) and, in other processes, viewers and chatters on
the `websockets` client (bench/chat_fanout_clients.py). The database is made here next
to the one DATABASE_URL names (`halobuzz_bench_<pid>`) and dropped at the end; Redis is
database 14 of the local server (--redis-url), apart from a developer's. Each run gets
a fresh live room: a host, M signed-in chatters (ORM-made sessions, sent as the session
cookie) and N viewers (visitors; with --signed-in-viewers, accounts of their own).
Every viewer should get every acknowledged message exactly once. It only talks to
loopback and stops by itself. `--lean-viewers` reads frames with less client CPU than
`websockets`. Method and figures: docs/benchmarks.md, "Live room: chat fan-out".
"""

import argparse
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chat_fanout_clients import raise_file_limit, run_senders, run_viewers
from chat_fanout_report import machine_facts, print_table, summarize_profile, summarize_run
from chat_fanout_server import (
    HOST,
    ROOT,
    CpuMeter,
    Profiler,
    cpu_times,
    free_port,
    processes_of,
    rss_bytes,
    server_environment,
    start_server,
    stop_server,
    wait_for_quiet_machine,
)

LAYERS = {"core": "RedisChannelLayer", "pubsub": "RedisPubSubChannelLayer"}
DEFAULT_DATABASE_URL = "postgres://halobuzz:halobuzz@127.0.0.1:5432/halobuzz"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
KEPT_DATABASE = "halobuzz_bench_kept"


def set_up_django(args, var_dir: Path) -> tuple[str, dict]:
    """A bench database next to the configured one; returns (old name, server env)."""
    base = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    bench_name = KEPT_DATABASE if args.keepdb else f"halobuzz_bench_{os.getpid()}"
    environment = server_environment(args, base.rsplit("/", 1)[0] + "/" + bench_name, var_dir)
    os.environ.update({**environment, "DATABASE_URL": base})
    sys.path[:0] = [str(var_dir), str(ROOT)]
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("chat_fanout needs PostgreSQL (DATABASE_URL)")
    database = connection.settings_dict
    database["TEST"] = {**database.get("TEST", {}), "NAME": bench_name}
    old_name = database["NAME"]
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=args.keepdb
    )
    return old_name, environment


def session_cookies(users) -> list[str]:
    """A signed-in session for each user, as the browser's Cookie header."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = []
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return cookies


def make_room(run: int, senders: int, signed_in_viewers: int) -> tuple[int, list, list]:
    """A live stream with its host, chatters and signed-in viewers. The stream's id is
    this script's own, so its groups cannot meet another checkout's on the same Redis
    (pub/sub channels ignore the database number)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from streams.models import Stream

    user_model, tag = get_user_model(), f"{os.getpid() % 100000}r{run}"

    def users(kind: str, count: int):
        made = [
            user_model(username=f"b{tag}{kind}{i}", email=f"b{tag}{kind}{i}@example.com")
            for i in range(count)
        ]
        for user in made:
            user.set_unusable_password()
        return user_model.objects.bulk_create(made, batch_size=1000)

    host = users("h", 1)[0]
    user_model.objects.filter(pk=host.pk).update(is_creator=True)
    now = timezone.now()
    stream = Stream.objects.create(
        pk=10_000_000 + os.getpid() % 100000 * 100 + run,
        host=host,
        title=f"Fan-out bench {run}",
        status=Stream.Status.LIVE,
        started_at=now,
        last_ingest_at=now,
    )
    cookies = session_cookies(users("s", senders)), session_cookies(users("v", signed_in_viewers))
    connection.close()  # nothing of ours holds a database connection during the run
    return stream.pk, *cookies


def ask(pipes, command: dict, timeout: float) -> list[dict]:
    for pipe in pipes:
        pipe.send(command)
    answers = []
    for pipe in pipes:
        if not pipe.poll(timeout):
            raise RuntimeError(f"no answer to {command['command']} within {timeout} s")
        answers.append(pipe.recv())
    return answers


def measure_run(args, run: int, layer: str, viewers: int, environment: dict) -> dict:
    """Start the server, connect everyone, send for --duration seconds, wait for the
    last frames (at most --drain seconds), and collect what every process saw."""
    import psutil

    stream_id, sender_cookies, viewer_cookies = make_room(
        run, args.senders, viewers if args.signed_in_viewers else 0
    )
    viewer_cookies += [None] * (viewers - len(viewer_cookies))
    port, client_cpus = free_port(), (args.pin or "/").partition("/")[2]
    config = {
        "url": f"ws://{HOST}:{port}/ws/streams/{stream_id}/",
        "origin": f"http://{HOST}:{port}",
        "deflate": args.client_deflate,
        "lean": args.lean_viewers,
        "connect_concurrency": args.connect_concurrency,
        "max_message_id": int(args.duration * args.rate) * args.senders,
        "rate": args.rate,
        "duration": args.duration,
        "cpus": [int(cpu) for cpu in client_cpus.split(",")] if client_cpus else None,
    }
    log = tempfile.NamedTemporaryFile("w+", prefix="chat-fanout-uvicorn-", suffix=".log")  # noqa: SIM115
    server = start_server(args, layer, environment, port, log)
    context = multiprocessing.get_context("spawn")  # no Django state in the clients
    sender_pipe, child_end = context.Pipe()
    children = [context.Process(target=run_senders, args=(child_end, config, sender_cookies))]
    viewer_pipes = []
    for share in range(args.client_processes):
        parent_end, child_end = context.Pipe()
        viewer_pipes.append(parent_end)
        cookies = viewer_cookies[share :: args.client_processes]
        children.append(context.Process(target=run_viewers, args=(child_end, config, cookies)))
    figures = {}
    try:
        for child in children:
            child.start()
        server_processes = processes_of(server.pid)
        ask([sender_pipe], {"command": "connect"}, 120)
        time.sleep(1)
        figures["rss_before"] = rss_bytes(server_processes)
        started = time.monotonic()
        figures["connected"] = ask(viewer_pipes, {"command": "connect"}, 3600)
        figures["connect_seconds"] = time.monotonic() - started
        time.sleep(args.settle)
        figures["rss_after"] = rss_bytes(server_processes)
        meter = CpuMeter(server_processes, [psutil.Process(child.pid) for child in children])
        profiler = None
        if args.profile:
            output = Path(args.profile) / f"chat-fanout-{layer}-{viewers}.txt"
            profiler = Profiler(server_processes, output, args.duration)
        figures["start_at"] = time.monotonic() + 0.5
        ask([sender_pipe], {"command": "start", "at": figures["start_at"]}, 10)
        figures["server_cpu_samples"] = server_samples = []  # saturated? each second
        last = sum(cpu_times(server_processes).values())
        while time.monotonic() < figures["start_at"] + args.duration:
            time.sleep(1)
            now = sum(cpu_times(server_processes).values())
            server_samples.append((now - last) * 100)
            last = now
        figures["cpu"] = meter.stop()
        sent_at_end, expected = time.monotonic(), viewers * config["max_message_id"]
        while time.monotonic() < sent_at_end + args.drain:
            progress = ask(viewer_pipes, {"command": "progress"}, 30)
            if sum(answer["received"] for answer in progress) >= expected:
                break
            time.sleep(0.5)
        if profiler is not None:
            profiler.wait()
            figures["profile"] = summarize_profile(profiler.output)
        figures["senders"] = ask([sender_pipe], {"command": "stop"}, 60)[0]
        figures["viewers"] = ask(viewer_pipes, {"command": "stop"}, 600)
    except BaseException:
        log.seek(0)
        print(f"uvicorn's log:\n{log.read()[-6000:]}", file=sys.stderr)
        raise
    finally:
        for child in children:
            child.join(30)
            if child.is_alive():
                child.kill()
        stop_server(server)
        log.seek(0)
        server_log = log.read()[-4000:]
        log.close()
    figures["server_log"] = server_log if "Traceback" in server_log else ""
    return summarize_run(args, LAYERS[layer], viewers, figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    add = parser.add_argument
    add("--viewers", type=int, nargs="+", default=[1000])
    add("--layer", choices=sorted(LAYERS), nargs="+", default=["pubsub"])
    add("--senders", type=int, default=20)
    add("--rate", type=float, default=1.0, help="messages a second per sender")
    add("--duration", type=float, default=30, help="seconds of sending")
    add("--drain", type=float, default=30, help="at most this long for the last frames")
    add("--settle", type=float, default=3, help="seconds between connecting and sending")
    add("--client-processes", type=int, default=4, help="viewer processes")
    add("--connect-concurrency", type=int, default=25, help="per viewer process")
    add("--signed-in-viewers", action="store_true", help="else visitors")
    add("--no-client-deflate", dest="client_deflate", action="store_false",
        help="clients do not offer permessage-deflate (browsers do)")  # fmt: skip
    add("--lean-viewers", action="store_true",
        help="viewers on a minimal client (no compression offered): less client CPU")  # fmt: skip
    add("--server-deflate", choices=["true", "false"], default="false",
        help="uvicorn --ws-per-message-deflate (deploy/Procfile: false)")  # fmt: skip
    add("--workers", type=int, default=1, help="uvicorn processes")
    add("--ws", default="auto", help="uvicorn --ws")
    add("--loop", default="auto", help="uvicorn --loop")
    add("--http", default="auto", help="uvicorn --http")
    add("--pin", help="CPUs for server/clients with taskset, e.g. 0/1")
    add("--server-env", action="append", default=[], help="KEY=VALUE for the server")
    add("--settings", default="halobuzz.settings.production")
    add("--redis-url", default=DEFAULT_REDIS_URL)
    add("--profile", help="folder for py-spy's raw profile of the sending phase")
    add("--json", help="also write every figure to this file")
    add("--attempts", type=int, default=3, help="runs to try for one without other work")
    add("--max-other-work", type=float, default=15, help="CPU %% of other work to accept")
    add("--keepdb", action="store_true", help=f"keep {KEPT_DATABASE} for the next call")
    args = parser.parse_args()
    raise_file_limit()
    temporary = Path(tempfile.gettempdir())
    var_dir = temporary / KEPT_DATABASE if args.keepdb else Path(tempfile.mkdtemp())
    var_dir.mkdir(exist_ok=True)
    old_name, environment = set_up_django(args, var_dir)
    from django.db import connection

    results, run = [], 0
    try:
        for layer in args.layer:
            for viewers in args.viewers:
                for attempt in range(1, args.attempts + 1):
                    run += 1
                    print(f"run {run}: {LAYERS[layer]}, {viewers} viewers", file=sys.stderr)
                    wait_for_quiet_machine()
                    result = measure_run(args, run, layer, viewers, environment)
                    result["attempt"] = attempt
                    brief = {key: value for key, value in result.items() if key != "profile"}
                    print(json.dumps(brief, default=str), file=sys.stderr, flush=True)
                    if result["cpu_percent"]["other work"] <= args.max_other_work:
                        break
                results.append(result)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)
        if not args.keepdb:
            shutil.rmtree(var_dir, ignore_errors=True)
    facts = machine_facts(args)
    print(f"`.venv/bin/python {' '.join(['bench/chat_fanout.py', *sys.argv[1:]])}`\n")
    print_table(results, facts)
    if args.json:
        Path(args.json).write_text(json.dumps({"facts": facts, "runs": results}, indent=1))


if __name__ == "__main__":
    main()
