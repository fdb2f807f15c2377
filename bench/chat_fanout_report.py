"""Tables, machine facts and the profile summary for bench/chat_fanout.py."""

import os
import platform
import re
import statistics
import subprocess
from array import array
from collections import Counter
from pathlib import Path

# Where a sample of the server is, by its thread (the database thread is the executor
# that sync_to_async runs on) and the first group, in this order, with a marker anywhere
# on its stack. Every consumer's stack starts in uvicorn's run_asgi and Channels'
# await_many_dispatch, so the specific markers come first.
PROFILE_GROUPS = [
    ("database thread: chat.send service", ("post_chat_message",)),
    ("database thread: join, welcome, presence", ("join_room", "leave_room", "build_welcome",
                                                 "get_room_roles", "_get_stream", "presence")),
    ("database thread: other", ("",)),
    ("main: Channels dispatch's close_old_connections hop", ("aclose_old_connections",)),
    ("main: permessage-deflate", ("PerMessageDeflate",)),
    ("main: WebSocket framing and socket write (uvicorn, websockets)",
     ("WebSocketsSansIOProtocol.send", "websockets/protocol.py", "websockets/frames.py")),
    ("main: Channels send chain (session wrapper, consumer.send)",
     ("InstanceSessionWrapper.send", "AsyncConsumer.send", "AsyncWebsocketConsumer.send")),
    ("main: channel layer receive (channels-redis, redis-py)", ("channels_redis/", "redis/")),
    ("main: consumer loop (await_many_dispatch: asyncio.wait, a task per message)",
     ("await_many_dispatch",)),
    ("main: event loop and other", ("",)),
]  # fmt: skip
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(len(values) * fraction))] if values else float("nan")


def summarize_run(args, layer: str, viewers: int, figures: dict) -> dict:
    """The run's figures from what the bench and every client process collected."""
    senders, answers = figures["senders"], figures["viewers"]
    acked = senders["acked"]
    latencies = sorted(value for answer in answers for value in array("d", answer["latencies_ms"]))
    connect_ms = sorted(value for answer in answers for value in array("d", answer["connect_ms"]))
    lost = duplicates = 0
    for answer in answers:
        for counts in answer["seen"]:
            lost += sum(1 for message_id in acked if counts[message_id] == 0)
            duplicates += sum(count - 1 for count in counts if count > 1)
    other_frames = Counter()
    for answer in answers:
        other_frames.update(answer["other_frames"])
    connected = figures["connected"]
    delivered = sum(answer["received"] for answer in answers)
    last_received = max(answer["last_received_at"] for answer in answers)
    sending_ended = figures["start_at"] + args.duration
    return {
        "layer": layer,
        "viewers": viewers,
        "connected": sum(answer["connected"] for answer in connected),
        "connect_failures": sum(answer["failed"] for answer in connected),
        "connect_errors": [error for answer in connected for error in answer["failures"]][:3],
        "connect_seconds": figures["connect_seconds"],
        "connect_p50_ms": percentile(connect_ms, 0.5),
        "connect_p99_ms": percentile(connect_ms, 0.99),
        "senders": args.senders,
        "rate": args.senders * args.rate,
        "duration": args.duration,
        "sent": senders["sent"],
        "acked": len(acked),
        "send_errors": senders["errors"],
        "unanswered": senders["unanswered"],
        "ack_p50_ms": statistics.median(array("d", senders["ack_ms"]) or [float("nan")]),
        "send_late_max_ms": max(array("d", senders["late_ms"]) or [0.0]),
        "expected": len(acked) * viewers,
        "delivered": delivered,
        # From the first send to the last frame received: a backlog lowers it.
        "delivered_per_second": delivered / max(args.duration, last_received - figures["start_at"]),
        "drain_seconds": max(0.0, last_received - sending_ended),
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": latencies[-1] if latencies else float("nan"),
        "lost": lost,
        "duplicates": duplicates,
        "closed_early": sum(answer["closed_early"] for answer in answers),
        "other_frames": dict(other_frames),
        "cpu_percent": figures["cpu"],
        "server_cpu_peak_percent": max(figures["server_cpu_samples"] or [0.0]),
        "rss_before_mib": figures["rss_before"] / 2**20,
        "rss_after_mib": figures["rss_after"] / 2**20,
        "rss_per_connection_kib": (figures["rss_after"] - figures["rss_before"]) / viewers / 1024,
        "profile": figures.get("profile"),
        "server_log_tail": figures["server_log"],
    }


def _output(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    except OSError:
        return f"{command[0]}: not found"
    return (result.stdout or result.stderr).strip()


def _first_line(command: list[str]) -> str:
    return (_output(command).splitlines() or ["?"])[0]


def machine_facts(args) -> list[str]:
    import channels
    import channels_redis
    import django
    import uvicorn
    import websockets

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    memory_gib = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    redis_version = "Redis ?"
    for line in _output(["redis-cli", "-u", args.redis_url, "info", "server"]).splitlines():
        if line.startswith("redis_version:"):
            redis_version = "Redis " + line.split(":", 1)[1].strip()
    return [
        f"{cpu}, `nproc` {os.cpu_count()}, {memory_gib:.1f} GiB RAM; {platform.platform()}",
        f"Python {platform.python_version()}, Django {django.get_version()}, channels "
        f"{channels.__version__}, channels-redis {channels_redis.__version__}, uvicorn "
        f"{uvicorn.__version__}, websockets {websockets.__version__} (clients too)",
        f"{_first_line(['psql', '--version'])}; {redis_version}",
        f"uvicorn: --workers {args.workers} --ws {args.ws} --loop {args.loop} --http {args.http} "
        f"--ws-per-message-deflate {args.server_deflate}; settings {args.settings}; "
        + (", ".join(args.server_env) or "no extra server variables"),
        f"clients: {args.client_processes} viewer processes + 1 sender process (uvloop); "
        + (
            "viewers on the lean client (no compression offered); "
            if args.lean_viewers
            else f"permessage-deflate offered: {'yes' if args.client_deflate else 'no'}; "
        )
        + f"viewers {'signed in' if args.signed_in_viewers else 'visitors'}; "
        + (f"CPU pinning server/clients: {args.pin}" if args.pin else "no CPU pinning"),
    ]


def print_table(results: list[dict], facts: list[str]) -> None:
    print(
        "| layer | viewers | msgs/s sent | frames/s delivered (expected) | p50 ms | p95 ms "
        "| p99 ms | max ms | lost | dup | drain s | server CPU % (peak) | clients CPU % "
        "| Redis CPU % | PostgreSQL CPU % | other work CPU % | server RSS MiB before → after "
        "| KiB / connection | connect all (s) | connect p50 / p99 ms |"
    )
    print("| --- |" + " ---: |" * 19)
    for r in results:
        cpu = r["cpu_percent"]
        expected = r["expected"] / r["duration"]
        print(
            f"| {r['layer']} | {r['connected']}/{r['viewers']} | {r['acked'] / r['duration']:.1f} "
            f"| {r['delivered_per_second']:,.0f} ({expected:,.0f}) | {r['p50_ms']:.1f} "
            f"| {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.0f} | {r['lost']} "
            f"| {r['duplicates']} | {r['drain_seconds']:.1f} "
            f"| {cpu['server']:.0f} ({r['server_cpu_peak_percent']:.0f}) | {cpu['clients']:.0f} "
            f"| {cpu['redis']:.0f} | {cpu['postgres']:.0f} | {cpu['other work']:.0f} "
            f"| {r['rss_before_mib']:.0f} → {r['rss_after_mib']:.0f} "
            f"| {r['rss_per_connection_kib']:.0f} | {r['connect_seconds']:.1f} "
            f"| {r['connect_p50_ms']:.0f} / {r['connect_p99_ms']:.0f} |"
        )
    print("\nCPU % is of one core (200 % = both). Per run:\n")
    for r in results:
        notes = [
            f"sent {r['sent']}, acknowledged {r['acked']}",
            f"send errors {r['send_errors'] or 'none'}",
            f"unanswered {r['unanswered']}, ack p50 {r['ack_p50_ms']:.1f} ms",
            f"sender late at most {r['send_late_max_ms']:.0f} ms",
            f"sockets closed early {r['closed_early']}",
            f"connect failures {r['connect_failures']} {r['connect_errors'] or ''}".strip(),
            f"other frames {r['other_frames']}",
        ]
        print(f"- {r['layer']}, {r['viewers']} viewers: " + "; ".join(notes))
        if r.get("server_log_tail"):
            print("  server log tail:\n\n```\n" + r["server_log_tail"] + "\n```")
        if r.get("profile"):
            print_profile(r["profile"])
    print()
    print("\n".join(f"- {fact}" for fact in facts))


def summarize_profile(path: Path) -> dict:
    """py-spy raw samples: share per thread, per group of PROFILE_GROUPS and the
    functions most often at the top of the stack."""
    threads, groups, leaves, total = Counter(), Counter(), Counter(), 0
    if not Path(path).exists():
        return {"error": f"no profile at {path}"}
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples, frames = int(count), stack.split(";")
        total += samples
        threads[frames[0].split(": ", 1)[-1]] += samples
        files = [
            (match["file"], match["function"]) if (match := FRAME.match(f)) else ("", f)
            for f in frames[1:]
        ]
        text = ";".join(f"{file}:{function}" for file, function in files)
        database_thread = "ThreadPoolExecutor" in frames[0]
        group = next(
            name
            for name, markers in PROFILE_GROUPS
            if name.startswith("database") == database_thread and any(m in text for m in markers)
        )
        groups[group] += samples
        file, function = files[-1] if files else ("", "?")
        leaves[f"{function} ({file})"] += samples
    share = lambda counter, n: [(k, 100 * v / max(1, total)) for k, v in counter.most_common(n)]  # noqa: E731
    return {
        "samples": total,
        "path": str(path),
        "threads": share(threads, 5),
        "groups": share(groups, 20),
        "top_functions": share(leaves, 15),
    }


def print_profile(profile: dict) -> None:
    if "error" in profile:
        print(f"  profile: {profile['error']}")
        return
    print(f"  profile ({profile['samples']} samples at 100 Hz, {profile['path']}):")
    for title in ("threads", "groups", "top_functions"):
        shares = ", ".join(f"{name} {percent:.1f} %" for name, percent in profile[title])
        print(f"  - {title.replace('_', ' ')}: {shares}")
