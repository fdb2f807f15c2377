"""The client side of bench/chat_fanout.py: viewer and sender processes.

Each process runs its own event loop (uvloop) and talks to the bench over a
multiprocessing pipe: the bench sends commands (`connect`, `start`, `progress`,
`stop`) and each answers with a dict. Nothing here imports Django.

Chat bodies are `bench <message id> <monotonic ns when sent>`. CLOCK_MONOTONIC is
one clock for every process of the machine, so a viewer subtracts the stamp from its
own `time.monotonic_ns()` when the frame reaches it.
"""

import asyncio
import contextlib
import json
import os
import resource
import time
from array import array

CHAT_PREFIX = '{"type":"chat.message"'
BODY_MARK = '"body":"bench '
CONNECT_TIMEOUT_SECONDS = 120


def raise_file_limit() -> int:
    """As many open files as the hard limit allows (each socket is one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _prepare_process(cpus: list[int] | None) -> None:
    raise_file_limit()
    if cpus:
        os.sched_setaffinity(0, cpus)
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


async def _commands(pipe):
    """Commands from the bench, read in a thread so the loop keeps serving sockets."""
    loop = asyncio.get_running_loop()
    while True:
        command = await loop.run_in_executor(None, pipe.recv)
        yield command
        if command["command"] == "stop":
            return


async def _open(url: str, headers: dict, config: dict):
    """One room socket, as a browser opens it; returns it with its welcome frame."""
    from websockets.asyncio.client import connect

    socket = await connect(
        url,
        additional_headers=headers,
        compression="deflate" if config["deflate"] else None,
        proxy=None,
        open_timeout=CONNECT_TIMEOUT_SECONDS,
        ping_interval=None,  # browsers do not ping; they answer the server's pings
        max_size=2**20,
        max_queue=1024,
        user_agent_header=None,
    )
    welcome = json.loads(await socket.recv())
    if welcome.get("type") != "room.welcome":
        raise RuntimeError(f"expected room.welcome, got {welcome.get('type')}")
    return socket, welcome


class LeanSocket(asyncio.Protocol):
    """A viewer's room socket without a WebSocket library (--lean-viewers): the upgrade
    by hand, then server frames (never masked, never fragmented by uvicorn) read
    straight from the buffer, and pongs to the server's pings. It offers no compression,
    so the server must not need it. A Python client reading 20,000 frames a second with
    `websockets` costs about as much CPU as the server sending them; this costs less."""

    def __init__(self, request: bytes, on_text, on_close):
        self.request, self.on_text, self.on_close = request, on_text, on_close
        self.buffer = bytearray()
        self.upgraded = False
        self.welcome = asyncio.get_running_loop().create_future()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self.welcome.set_exception(RuntimeError(bytes(buffer[:80]).decode()))
                self.transport.close()
                return
            del buffer[: end + 4]
            self.upgraded = True
        position, size = 0, len(buffer)
        while size - position >= 2:
            opcode, length, head = buffer[position] & 0x0F, buffer[position + 1] & 0x7F, 2
            if length == 126:
                length, head = int.from_bytes(buffer[position + 2 : position + 4]), 4
            elif length == 127:
                length, head = int.from_bytes(buffer[position + 2 : position + 10]), 10
            if size - position < head + length:
                break
            payload = bytes(buffer[position + head : position + head + length])
            position += head + length
            if opcode == 1:
                text = payload.decode()
                if self.welcome.done():
                    self.on_text(text)
                else:
                    self.welcome.set_result(text)
            elif opcode == 9:  # ping: a masked pong with the same payload
                mask = os.urandom(4)
                masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
                self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + mask + masked)
            elif opcode == 8:
                self.transport.close()
        del buffer[:position]

    def connection_lost(self, exc) -> None:
        if not self.welcome.done():
            self.welcome.set_exception(ConnectionError("closed before the welcome"))
        elif self.welcome.exception() is None:
            self.on_close()

    async def close(self) -> None:
        self.transport.close()


async def _open_lean(url: str, headers: dict, on_text, on_close) -> LeanSocket:
    import base64
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {parts.path} HTTP/1.1", f"Host: {parts.netloc}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13",
             *(f"{name}: {value}" for name, value in headers.items())]  # fmt: skip
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    _transport, protocol = await loop.create_connection(
        lambda: LeanSocket(request, on_text, on_close), parts.hostname, parts.port
    )
    welcome = json.loads(await asyncio.wait_for(protocol.welcome, CONNECT_TIMEOUT_SECONDS))
    if welcome.get("type") != "room.welcome":
        raise RuntimeError(f"expected room.welcome, got {welcome.get('type')}")
    return protocol


class Viewers:
    """This process's share of the viewers and what they received."""

    def __init__(self, config: dict, cookies: list[str | None]):
        self.config = config
        self.cookies = cookies
        self.sockets = []
        self.connect_ms = array("d")
        self.failures: list[str] = []
        self.latencies_ms = array("d")
        self.seen: list[bytearray] = []  # per socket: how often each message id arrived
        self.other_frames: dict[str, int] = {}
        self.closed_early = 0
        self.received = 0
        self.last_received_at = 0.0
        self.readers: list[asyncio.Task] = []

    async def connect(self) -> dict:
        started = time.monotonic()
        limit = asyncio.Semaphore(self.config["connect_concurrency"])

        async def one(cookie):
            headers = {"Origin": self.config["origin"]}
            if cookie:
                headers["Cookie"] = cookie
            seen = bytearray(self.config["max_message_id"] + 1)
            async with limit:
                opened = time.monotonic()
                try:
                    if self.config["lean"]:
                        socket = await _open_lean(
                            self.config["url"],
                            headers,
                            lambda text: self.record(text, seen),
                            self.closed,
                        )
                    else:
                        socket, _welcome = await _open(self.config["url"], headers, self.config)
                except Exception as error:  # counted and reported
                    self.failures.append(f"{type(error).__name__}: {error}"[:200])
                    return
                self.connect_ms.append((time.monotonic() - opened) * 1000)
            self.sockets.append(socket)
            self.seen.append(seen)
            if not self.config["lean"]:
                self.readers.append(asyncio.create_task(self.read(socket, seen)))

        await asyncio.gather(*(one(cookie) for cookie in self.cookies))
        return {
            "connected": len(self.sockets),
            "failures": self.failures[:5],
            "failed": len(self.failures),
            "seconds": time.monotonic() - started,
        }

    def record(self, text: str, seen: bytearray) -> None:
        """One frame: a chat message's latency and id, or another frame's type."""
        now_ns = time.monotonic_ns()
        if text.startswith(CHAT_PREFIX):
            start = text.find(BODY_MARK) + len(BODY_MARK)
            if start >= len(BODY_MARK):
                message_id, sent_ns = text[start : text.find('"', start)].split()
                self.latencies_ms.append((now_ns - int(sent_ns)) / 1e6)
                seen[int(message_id)] += 1
                self.received += 1
                self.last_received_at = now_ns / 1e9
                return
        kind = text[9 : text.find('"', 9)] if text.startswith('{"type":"') else "?"
        self.other_frames[kind] = self.other_frames.get(kind, 0) + 1

    async def read(self, socket, seen: bytearray) -> None:
        try:
            async for text in socket:
                self.record(text, seen)
        except Exception:  # noqa: S110 - the socket closed; counted below
            pass
        self.closed()

    def closed(self) -> None:
        if not self.config.get("stopping"):
            self.closed_early += 1

    async def close(self) -> None:
        self.config["stopping"] = True
        for reader in self.readers:
            reader.cancel()

        async def close_one(socket):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(socket.close(), 10)

        for start in range(0, len(self.sockets), 200):
            await asyncio.gather(*(close_one(s) for s in self.sockets[start : start + 200]))

    def results(self) -> dict:
        return {
            "latencies_ms": self.latencies_ms.tobytes(),
            "connect_ms": self.connect_ms.tobytes(),
            "seen": [bytes(counts) for counts in self.seen],
            "other_frames": self.other_frames,
            "closed_early": self.closed_early,
            "received": self.received,
            "last_received_at": self.last_received_at,
            "cpu_seconds": sum(os.times()[:2]),
        }


def run_viewers(pipe, config: dict, cookies: list[str | None]) -> None:
    """Process entry: open `cookies` sockets (None: a visitor) and count what arrives."""
    _prepare_process(config.get("cpus"))

    async def main():
        viewers = Viewers(config, cookies)
        async for command in _commands(pipe):
            if command["command"] == "connect":
                pipe.send(await viewers.connect())
            elif command["command"] == "progress":
                pipe.send({"received": viewers.received, "closed_early": viewers.closed_early})
            elif command["command"] == "stop":
                results = viewers.results()  # before closing: closing costs CPU too
                await viewers.close()
                pipe.send(results)

    asyncio.run(main())


class Senders:
    """Signed-in chatters, each sending `rate` messages a second from `start`."""

    def __init__(self, config: dict, cookies: list[str]):
        self.config = config
        self.cookies = cookies
        self.sockets = []
        self.acked: list[int] = []
        self.errors: dict[str, int] = {}
        self.ack_ms = array("d")
        self.pending: dict[str, tuple[int, float]] = {}
        self.sent = 0
        self.late_ms = array("d")  # how far behind schedule each send went out

    async def connect(self) -> dict:
        started = time.monotonic()
        for cookie in self.cookies:
            headers = {"Origin": self.config["origin"], "Cookie": cookie}
            socket, welcome = await _open(self.config["url"], headers, self.config)
            if not (welcome.get("you") or {}).get("can_chat"):
                raise RuntimeError(f"a sender may not chat: {welcome.get('you')}")
            self.sockets.append(socket)
        self.readers = [asyncio.create_task(self.read(socket)) for socket in self.sockets]
        return {"connected": len(self.sockets), "seconds": time.monotonic() - started}

    async def read(self, socket) -> None:
        with contextlib.suppress(Exception):
            async for text in socket:
                if text.startswith(CHAT_PREFIX) or '"ref"' not in text:
                    continue
                frame = json.loads(text)
                message_id, sent_at = self.pending.pop(frame["ref"], (None, 0.0))
                if frame["type"] == "chat.ack" and message_id is not None:
                    self.acked.append(message_id)
                    self.ack_ms.append((time.monotonic() - sent_at) * 1000)
                else:
                    code = frame.get("code") or frame["type"]
                    self.errors[code] = self.errors.get(code, 0) + 1

    async def send_all(self, start: float) -> None:
        count, rate = len(self.sockets), self.config["rate"]
        per_sender = int(self.config["duration"] * rate)

        async def one(index: int, socket):
            for number in range(per_sender):
                due = start + (number + index / count) / rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                message_id = number * count + index
                self.late_ms.append(max(0.0, time.monotonic() - due) * 1000)
                ref = f"m{message_id}"
                self.pending[ref] = (message_id, time.monotonic())
                body = f"bench {message_id} {time.monotonic_ns()}"
                await socket.send(json.dumps({"type": "chat.send", "body": body, "ref": ref}))
                self.sent += 1

        await asyncio.gather(*(one(i, s) for i, s in enumerate(self.sockets)))

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        for socket in self.sockets:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(socket.close(), 10)


def run_senders(pipe, config: dict, cookies: list[str]) -> None:
    """Process entry: the chatters. `start` carries the monotonic time to begin at."""
    _prepare_process(config.get("cpus"))

    async def main():
        senders, sending = Senders(config, cookies), None
        async for command in _commands(pipe):
            if command["command"] == "connect":
                pipe.send(await senders.connect())
            elif command["command"] == "start":
                sending = asyncio.create_task(senders.send_all(command["at"]))
                pipe.send({"started": True})
            elif command["command"] == "progress":
                pipe.send({"sent": senders.sent, "done": bool(sending and sending.done())})
            elif command["command"] == "stop":
                if sending is not None:
                    await sending
                await asyncio.sleep(1)  # the last acks
                await senders.close()
                pipe.send(
                    {
                        "sent": senders.sent,
                        "acked": senders.acked,
                        "errors": senders.errors,
                        "unanswered": len(senders.pending),
                        "ack_ms": senders.ack_ms.tobytes(),
                        "late_ms": senders.late_ms.tobytes(),
                        "cpu_seconds": sum(os.times()[:2]),
                    }
                )

    asyncio.run(main())
