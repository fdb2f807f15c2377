"""Gift-shaped ledger postings to one hot creator: sustained transactions a second from
many concurrent viewers through `economy.services.ledger`, with pgbench's single-row
UPDATE rate on the same database in the same run as the reference.

Usage:

    DATABASE_URL=postgres://halobuzz:halobuzz@127.0.0.1:5432/halobuzz \
        .venv/bin/python bench/ledger_hot_account.py --processes 4 --duration 20

Each posting is what a gift will be: the viewer's wallet pays 10 coins to platform
revenue and the creator earns 7 diamonds from diamond issuance, under one idempotency
key. Every process posts from its own viewers' wallets as fast as it can. At the end
the creator's earnings must equal 7 times the postings counted and `audit_ledger` must be
clean. The reference is pgbench running `UPDATE ... SET n = n + 1` on one row with as
many clients: the rate a design that locks the creator's row per gift could at best
reach. The database is made next to DATABASE_URL's (`halobuzz_bench_ledger`) and
dropped at the end; only loopback PostgreSQL is accepted. Figures: docs/benchmarks.md.
"""

import argparse
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also in the spawned posting processes
BENCH_DATABASE = "halobuzz_bench_ledger"
VIEWERS_PER_PROCESS = 50
COINS_PER_GIFT = 10
DIAMONDS_PER_GIFT = 7


def set_up_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halobuzz.settings.test")
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres") or urlsplit(base).hostname not in {"127.0.0.1", "localhost"}:
        raise SystemExit("ledger_hot_account needs a loopback PostgreSQL in DATABASE_URL")
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + BENCH_DATABASE
    import django

    django.setup()


def create_database() -> None:
    from django.db import connection

    settings_dict = connection.settings_dict
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "NAME": BENCH_DATABASE}
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def make_room(processes: int) -> tuple[int, list[list[int]]]:
    """A creator and funded viewers; returns the creator's earnings account id and each
    process's viewer wallet ids."""
    from economy.models import Account, Asset, LedgerTransaction
    from economy.services import ledger
    from halobuzz.users.models import User

    creator = User.objects.create(username="hot_creator", is_creator=True)
    earnings = ledger.get_or_create_user_account(user=creator, kind=Account.Kind.CREATOR_DIAMONDS)
    promotions = ledger.get_or_create_platform_account(
        kind=Account.Kind.PROMOTIONS, asset=Asset.COINS
    )
    groups = []
    for process in range(processes):
        wallets = []
        for number in range(VIEWERS_PER_PROCESS):
            viewer = User.objects.create(username=f"viewer_{process}_{number}")
            wallet = ledger.get_or_create_user_account(user=viewer, kind=Account.Kind.USER_COINS)
            ledger.post_transaction(
                kind=LedgerTransaction.Kind.REWARD,
                idempotency_key=f"fund:{wallet.pk}",
                postings=[
                    ledger.Posting(account=wallet, amount=10_000_000),
                    ledger.Posting(account=promotions, amount=-10_000_000),
                ],
            )
            wallets.append(wallet.pk)
        groups.append(wallets)
    ledger.roll_up_pending_balances()
    return earnings.pk, groups


def post_gifts(
    process: int, earnings_id: int, wallet_ids: list[int], seconds: float, lock_row: bool, out
) -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    from economy.models import Account, Asset, LedgerTransaction
    from economy.services import ledger

    connection.close()
    earnings = Account.objects.get(pk=earnings_id)
    wallets = list(Account.objects.filter(pk__in=wallet_ids))
    revenue = ledger.get_or_create_platform_account(
        kind=Account.Kind.PLATFORM_REVENUE, asset=Asset.COINS
    )
    issuance = ledger.get_or_create_platform_account(
        kind=Account.Kind.DIAMOND_ISSUANCE, asset=Asset.DIAMONDS
    )
    posted, latencies = 0, []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        wallet = wallets[posted % len(wallets)]
        started = time.perf_counter()
        with transaction.atomic():
            if lock_row:
                # The design not taken: every gift locks the creator's account row.
                Account.objects.select_for_update().filter(pk=earnings_id).exists()
            ledger.post_transaction(
                kind=LedgerTransaction.Kind.GIFT,
                idempotency_key=f"gift:{process}:{posted}",
                postings=[
                    ledger.Posting(account=wallet, amount=-COINS_PER_GIFT),
                    ledger.Posting(account=revenue, amount=COINS_PER_GIFT),
                    ledger.Posting(account=earnings, amount=DIAMONDS_PER_GIFT),
                    ledger.Posting(account=issuance, amount=-DIAMONDS_PER_GIFT),
                ],
            )
        latencies.append(time.perf_counter() - started)
        posted += 1
    connection.close()
    out.put((posted, latencies))


def run_postings(processes: int, seconds: float, lock_row: bool) -> dict:
    from django.db import connections

    earnings_id, groups = make_room(processes)
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [
        context.Process(target=post_gifts, args=(n, earnings_id, groups[n], seconds, lock_row, out))
        for n in range(processes)
    ]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    results = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    posted = sum(count for count, _ in results)
    latencies = sorted(latency for _, batch in results for latency in batch)
    return {
        "posted": posted,
        "per_second": posted / seconds,
        "elapsed": elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
        "earnings_id": earnings_id,
    }


def check_exact(result: dict) -> dict:
    from economy.audit import audit_ledger
    from economy.models import Account
    from economy.selectors.ledger import get_account_balance
    from economy.services import ledger

    earnings = Account.objects.get(pk=result["earnings_id"])
    live = get_account_balance(account=earnings)
    ledger.roll_up_pending_balances(limit=100_000)
    earnings.refresh_from_db()
    report = audit_ledger()
    return {
        "earnings_expected": DIAMONDS_PER_GIFT * result["posted"],
        "earnings_read_live": live,
        "earnings_rolled_up": earnings.balance,
        "audit_clean": report.clean,
    }


def run_pgbench(clients: int, seconds: int) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_hot_row")
        cursor.execute("CREATE TABLE bench_hot_row (id int PRIMARY KEY, n bigint NOT NULL)")
        cursor.execute("INSERT INTO bench_hot_row VALUES (1, 0)")
    script = Path(tempfile.mkdtemp()) / "hot_row.sql"
    script.write_text("UPDATE bench_hot_row SET n = n + 1 WHERE id = 1;\n")
    settings_dict = connection.settings_dict
    environment = {**os.environ, "PGPASSWORD": settings_dict["PASSWORD"]}
    command = [
        "pgbench", "-n", "-f", str(script), "-c", str(clients), "-j", str(clients),
        "-T", str(seconds), "-h", settings_dict["HOST"], "-p", str(settings_dict["PORT"]),
        "-U", settings_dict["USER"], settings_dict["NAME"],
    ]  # fmt: skip
    output = subprocess.run(  # noqa: S603 - our own arguments
        command, env=environment, capture_output=True, text=True, check=True
    )
    match = re.search(r"tps = ([\d.]+)", output.stdout)
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    parser.add_argument("--processes", type=int, default=4, help="posting processes")
    parser.add_argument("--duration", type=int, default=20, help="seconds of posting")
    parser.add_argument(
        "--lock-creator-row",
        action="store_true",
        help="compare: lock the creator's account row in every posting",
    )
    args = parser.parse_args()
    set_up_django()
    create_database()
    from django.db import connection

    try:
        reference = run_pgbench(args.processes, args.duration)
        result = run_postings(args.processes, args.duration, args.lock_creator_row)
        exact = check_exact(result)
    finally:
        connection.creation.destroy_test_db(BENCH_DATABASE, verbosity=0)
    print(f"`.venv/bin/python bench/ledger_hot_account.py {' '.join(sys.argv[1:])}`\n")
    print("| postings/s to one creator | p50 / p99 ms | pgbench single-row UPDATE tps | ratio |")
    print("| ---: | ---: | ---: | ---: |")
    print(
        f"| {result['per_second']:,.0f} ({result['posted']:,} in {args.duration} s, "
        f"{args.processes} processes) | {result['p50_ms']:.1f} / {result['p99_ms']:.1f} "
        f"| {reference:,.0f} | {result['per_second'] / reference:.2f} |"
    )
    print(f"\nexact: {exact}")
    if not (
        exact["audit_clean"]
        and exact["earnings_expected"] == exact["earnings_read_live"] == exact["earnings_rolled_up"]
    ):
        raise SystemExit("BALANCES NOT EXACT")


if __name__ == "__main__":
    main()
