"""One room, two server processes, one Redis: what a viewer does on one process
reaches viewers on the other, and presence counts viewers on both."""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import websockets
from django.db import connection
from django.test import Client

from tests.browser.servers import free_port, wait_for_port
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory

pytestmark = pytest.mark.django_db(transaction=True)

UVICORN = Path(sys.executable).with_name("uvicorn")


def _database_url() -> str:
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}"
    )


@contextmanager
def server_process(*, redis_url: str):
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "halobuzz.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "ROOM_PRESENCE_BROADCAST_SECONDS": "0.5",
    }
    # The server's log goes to a file, not a pipe nobody reads (a full pipe would
    # stall the server), and is printed when the test fails.
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(  # noqa: S603
            [
                str(UVICORN),
                "halobuzz.asgi:application",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, timeout=30)
            yield port
        except BaseException:
            log.seek(0)
            print(f"--- server on port {port} ---\n{log.read()[-20000:]}")
            raise
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


async def _open(port: int, stream_id: int, cookie: str | None = None):
    headers = {"Cookie": cookie} if cookie else {}
    socket = await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/streams/{stream_id}/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers=headers,
    )
    welcome = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert welcome["type"] == "room.welcome"
    return socket


async def _receive_until(socket, matches, timeout: float = 10) -> dict:
    async def scan():
        while True:
            frame = json.loads(await socket.recv())
            if matches(frame):
                return frame

    return await asyncio.wait_for(scan(), timeout)


def test_chat_presence_and_reactions_cross_server_processes(redis_url):
    stream = LiveStreamFactory()
    alice, bruno = UserFactory(username="alice"), UserFactory(username="bruno")
    alice_cookie, bruno_cookie = _session_cookie(alice), _session_cookie(bruno)

    async def scenario(port_a: int, port_b: int):
        on_a = await _open(port_a, stream.pk, alice_cookie)
        on_b = await _open(port_b, stream.pk, bruno_cookie)
        visitor_on_b = await _open(port_b, stream.pk)
        try:
            # Two signed-in viewers and one visitor, on two processes. Waited for
            # first: a count that came while waiting for the chat frames below would
            # be skipped there, and nothing changes the count afterwards.
            count = await _receive_until(
                on_a, lambda f: f["type"] == "presence.count" and f["count"] == 3
            )
            assert count["peak"] >= 3

            await on_a.send(json.dumps({"type": "chat.send", "body": "olá from A", "ref": "1"}))
            ack = await _receive_until(on_a, lambda f: f["type"] in ("chat.ack", "error"))
            assert ack["type"] == "chat.ack", ack
            for socket in (on_b, visitor_on_b):
                message = await _receive_until(socket, lambda f: f["type"] == "chat.message")
                assert message["message"]["body"] == "olá from A"
                assert message["message"]["author"]["username"] == "alice"
                assert message["seq"] == ack["seq"]

            await on_b.send(json.dumps({"type": "reaction.send", "kind": "heart"}))
            burst = await _receive_until(on_a, lambda f: f["type"] == "reaction.burst")
            assert burst["counts"] == {"heart": 1}
        finally:
            for socket in (on_a, on_b, visitor_on_b):
                await socket.close()

    with ExitStack() as servers:
        port_a = servers.enter_context(server_process(redis_url=redis_url))
        port_b = servers.enter_context(server_process(redis_url=redis_url))
        asyncio.run(scenario(port_a, port_b))
