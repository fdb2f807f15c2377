"""Real servers for end-to-end tests: the ASGI app under uvicorn (HTTP and WebSockets)
and nginx with the RTMP module, both pointed at the test database and media folders."""

import socket
import subprocess
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path

import uvicorn
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from tests.conftest import release_pooled_connections


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with closing(socket.socket()) as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


@contextmanager
def asgi_server():
    """Serve halobuzz.asgi (static files through the finders, as runserver does)."""
    from halobuzz.asgi import application

    port = free_port()
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(port)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        release_pooled_connections()


@contextmanager
def media_server(*, app_address: str, runtime_dir: Path):
    """nginx-rtmp from the project's config template. Yields (rtmp_port, http_port)."""
    from streams.media_server import MediaServerConfig

    config = MediaServerConfig(
        rtmp_port=free_port(),
        http_port=free_port(),
        app_address=app_address,
        runtime_dir=runtime_dir,
        log_level="info",
    )
    process = subprocess.Popen(  # noqa: S603
        config.command(config.write()), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for_port(config.rtmp_port)
        wait_for_port(config.http_port)
        yield config.rtmp_port, config.http_port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
