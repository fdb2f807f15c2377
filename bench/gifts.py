"""Gifts to one hot creator: sustained gifts a second from many concurrent viewers
through `economy.services.gifts.send_gift` (everything a gift does: checks, ledger
transaction, room broadcast, leaderboard counts) or through the HTTP API on a real
server, with pgbench's single-row UPDATE rate on the same database in the same run as
the reference.

Usage:

    DATABASE_URL=postgres://halobuzz:halobuzz@127.0.0.1:5432/halobuzz \
    REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/gifts.py --through service --processes 4 --senders 32 --duration 20

    ... bench/gifts.py --through api --workers 2 --processes 4 --duration 20

Every process sends Coffee gifts (10 coins, 7 diamonds to an Affiliate) from its own
50 viewers as fast as it can, each with a fresh idempotency key: through the service
from `--senders` threads at once (gifts in flight together are written in batches,
economy.services.gift_batches), through the API from 4 HTTP clients. At the end the
creator's diamonds must equal 7 times the gifts counted and `audit_ledger` must be
clean. The reference is pgbench running `UPDATE ... SET n = n + 1` on one row with
as many clients. The database is made next to DATABASE_URL's and dropped at the end
(bench/ledger_hot_account.py); only loopback PostgreSQL is accepted. Figures:
docs/benchmarks.md, "Gifts: one hot creator".
"""

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ledger_hot_account import (  # noqa: E402 (needs the path above)
    BENCH_DATABASE,
    create_database,
    run_pgbench,
    set_up_django,
)

VIEWERS_PER_PROCESS = 50
GIFT = "coffee"
COINS_PER_GIFT = 10
DIAMONDS_PER_GIFT = 7


def make_room(processes: int) -> dict:
    """A live stream and funded viewers (with API tokens); returns ids."""
    from rest_framework.authtoken.models import Token

    from economy.models import Gift
    from economy.services.rewards import grant_coins
    from halobuzz.users.models import User
    from streams.models import Stream
    from tests.economy.catalog import ensure_catalog

    ensure_catalog()
    creator = User.objects.create(username="hot_creator", is_creator=True)
    stream = Stream.objects.create(host=creator, title="Hot room", status=Stream.Status.LIVE)
    groups = []
    for process in range(processes):
        viewers = []
        for number in range(VIEWERS_PER_PROCESS):
            viewer = User.objects.create(username=f"viewer_{process}_{number}")
            grant_coins(
                user=viewer, coins=10_000_000, reason="bench", idempotency_key=f"fund:{viewer.pk}"
            )
            viewers.append((viewer.pk, Token.objects.create(user=viewer).key))
        groups.append(viewers)
    return {
        "creator": creator.pk,
        "stream": stream.pk,
        "gift": Gift.objects.get(slug=GIFT).pk,
        "groups": groups,
    }


def send_through_service(process: int, room: dict, seconds: float, senders: int, out) -> None:
    """One process of `senders` threads, each a viewer sending gift after gift (the
    process's requests in flight at once, as a server's threads would have)."""
    import threading

    set_up_django()
    from django.db import connection

    from economy.services.gifts import send_gift
    from halobuzz.users.models import User

    viewers = list(User.objects.filter(pk__in=[pk for pk, _ in room["groups"][process]]))
    connection.close()
    lock = threading.Lock()
    totals = {"sent": 0, "latencies": []}
    deadline = time.monotonic() + seconds

    def sender_loop(thread: int) -> None:
        own = viewers[thread::senders]
        sent, latencies = 0, []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            send_gift(
                sender=own[sent % len(own)],
                stream_id=room["stream"],
                gift_id=room["gift"],
                idempotency_key=f"bench:{process}:{thread}:{sent}",
            )
            # As at the end of a request: the connection goes back to the pool, so
            # only the threads writing a batch hold one.
            connection.close()
            latencies.append(time.perf_counter() - started)
            sent += 1
        with lock:
            totals["sent"] += sent
            totals["latencies"] += latencies

    threads = [threading.Thread(target=sender_loop, args=(n,)) for n in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put((totals["sent"], totals["latencies"], 0))


def send_through_api(process: int, room: dict, seconds: float, base_url: str, out) -> None:
    """One process of HTTP clients: a few threads, each its own keep-alive connection."""
    import threading

    import httpx

    tokens = [token for _, token in room["groups"][process]]
    lock = threading.Lock()
    totals = {"sent": 0, "failed": 0, "latencies": []}
    deadline = time.monotonic() + seconds

    def client_loop(thread: int) -> None:
        sent, failed, latencies = 0, 0, []
        with httpx.Client(base_url=base_url, timeout=30) as client:
            while time.monotonic() < deadline:
                token = tokens[(thread + sent + failed) % len(tokens)]
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/gifts/send",
                    json={"stream": room["stream"], "gift": room["gift"]},
                    headers={
                        "Authorization": f"Token {token}",
                        "Idempotency-Key": f"api:{process}:{thread}:{sent + failed}",
                    },
                )
                latencies.append(time.perf_counter() - started)
                if response.status_code == 201:
                    sent += 1
                else:
                    failed += 1
        with lock:
            totals["sent"] += sent
            totals["failed"] += failed
            totals["latencies"] += latencies

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put((totals["sent"], totals["latencies"], totals["failed"]))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(workers: int) -> tuple[subprocess.Popen, str]:
    """uvicorn on production settings against the bench database."""
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "halobuzz.settings.production",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "consolemail://",
        "SECURE_SSL_REDIRECT": "false",
        "API_USER_RATE": "1000000/minute",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 (our own arguments)
        [
            sys.executable,
            "-m",
            "uvicorn",
            "halobuzz.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
        ],
        env=environment,
        cwd=ROOT,
    )
    base_url = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(300):
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return server, base_url
        except httpx.HTTPError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the server did not start")


def run_gifts(args) -> dict:
    from django.db import connections

    room = make_room(args.processes)
    connections.close_all()
    server = None
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    if args.through == "api":
        server, base_url = start_server(args.workers)
        workers = [
            context.Process(target=send_through_api, args=(n, room, args.duration, base_url, out))
            for n in range(args.processes)
        ]
    else:
        workers = [
            context.Process(
                target=send_through_service, args=(n, room, args.duration, args.senders, out)
            )
            for n in range(args.processes)
        ]
    try:
        for worker in workers:
            worker.start()
        results = [out.get() for _ in workers]
        for worker in workers:
            worker.join()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    sent = sum(count for count, _, _ in results)
    latencies = sorted(latency for _, batch, _ in results for latency in batch)
    return {
        "sent": sent,
        "failed": sum(failed for _, _, failed in results),
        "per_second": sent / args.duration,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
        "creator": room["creator"],
    }


def check_exact(result: dict) -> dict:
    from economy.audit import audit_ledger
    from economy.models import Account
    from economy.selectors.ledger import get_user_balance
    from economy.services import ledger
    from halobuzz.users.models import User

    creator = User.objects.get(pk=result["creator"])
    live = get_user_balance(user=creator, kind=Account.Kind.CREATOR_DIAMONDS)
    ledger.roll_up_pending_balances(limit=100_000)
    return {
        "diamonds_expected": DIAMONDS_PER_GIFT * result["sent"],
        "diamonds_read_live": live,
        "diamonds_rolled_up": get_user_balance(user=creator, kind=Account.Kind.CREATOR_DIAMONDS),
        "audit_clean": audit_ledger().clean,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--through", choices=["service", "api"], default="service")
    parser.add_argument("--processes", type=int, default=4, help="sending processes")
    parser.add_argument(
        "--senders", type=int, default=16, help="concurrent viewers per process (service)"
    )
    parser.add_argument("--workers", type=int, default=2, help="server processes (api)")
    parser.add_argument("--duration", type=int, default=20, help="seconds of sending")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL", "")
    set_up_django()
    create_database()
    from django.db import connection

    try:
        reference = run_pgbench(args.processes, args.duration)
        result = run_gifts(args)
        exact = check_exact(result)
    finally:
        connection.creation.destroy_test_db(BENCH_DATABASE, verbosity=0)
    print(f"`.venv/bin/python bench/gifts.py {' '.join(sys.argv[1:])}`\n")
    print("| gifts/s to one creator | p50 / p99 ms | pgbench single-row UPDATE tps | ratio |")
    print("| ---: | ---: | ---: | ---: |")
    print(
        f"| {result['per_second']:,.0f} ({result['sent']:,} in {args.duration} s, "
        f"{args.processes} processes, {args.through}) | {result['p50_ms']:.1f} / "
        f"{result['p99_ms']:.1f} | {reference:,.0f} | {result['per_second'] / reference:.2f} |"
    )
    print(f"\nrefused: {result['failed']}; exact: {exact}")
    if not (
        exact["audit_clean"]
        and exact["diamonds_expected"] == exact["diamonds_read_live"] == exact["diamonds_rolled_up"]
    ):
        raise SystemExit("BALANCES NOT EXACT")


if __name__ == "__main__":
    main()
