"""The nginx-rtmp media server: find nginx and its RTMP module, render its config.

Used by `manage.py media_server` (and `make media-server`) and by the OBS-path tests.
"""

import getpass
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template import Context, Engine

from streams.keys import media_server_secret

TEMPLATE = settings.BASE_DIR / "deploy" / "nginx" / "media-server.conf.template"
RTMP_MODULE_CANDIDATES = (
    "/usr/lib/nginx/modules/ngx_rtmp_module.so",
    "/usr/lib64/nginx/modules/ngx_rtmp_module.so",
    "/usr/local/nginx/modules/ngx_rtmp_module.so",
)


class MediaServerUnavailable(RuntimeError):
    pass


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (
            path
            for path in ("/usr/sbin/nginx", "/usr/local/nginx/sbin/nginx")
            if Path(path).exists()
        ),
        None,
    )


def find_rtmp_module() -> str | None:
    return next((path for path in RTMP_MODULE_CANDIDATES if Path(path).exists()), None)


def media_server_available() -> bool:
    return bool(find_nginx() and find_rtmp_module())


@dataclass
class MediaServerConfig:
    rtmp_port: int
    http_port: int
    app_address: str  # host:port of the ASGI app (callbacks and proxying)
    runtime_dir: Path
    log_level: str = "warn"

    def render(self) -> str:
        module = find_rtmp_module()
        if module is None:
            raise MediaServerUnavailable(
                "nginx's RTMP module is missing: apt-get install nginx libnginx-mod-rtmp"
            )
        for folder in (settings.HLS_ROOT, settings.RECORDINGS_ROOT, self.runtime_dir):
            Path(folder).mkdir(parents=True, exist_ok=True)
        context = {
            "rtmp_module": module,
            # Workers must write HLS and recordings where the app reads them.
            "run_as_user": getpass.getuser() if os.geteuid() == 0 else "",
            "runtime_dir": self.runtime_dir,
            "error_log": self.runtime_dir / "error.log",
            "access_log": self.runtime_dir / "access.log",
            "log_level": self.log_level,
            "rtmp_port": self.rtmp_port,
            "http_port": self.http_port,
            "app_address": self.app_address,
            "callback_url": f"http://{self.app_address}/internal/rtmp",
            "secret": media_server_secret(),
            "update_interval": settings.RTMP_UPDATE_INTERVAL_SECONDS,
            "hls_root": settings.HLS_ROOT,
            "hls_url": settings.HLS_URL,
            "media_root": settings.MEDIA_ROOT,
            "recordings_root": settings.RECORDINGS_ROOT,
            "segment_seconds": settings.HLS_SEGMENT_SECONDS,
            "playlist_seconds": settings.HLS_SEGMENT_SECONDS * settings.HLS_PLAYLIST_SEGMENTS,
        }
        engine = Engine(autoescape=False)
        return engine.from_string(TEMPLATE.read_text()).render(Context(context))

    def write(self) -> Path:
        path = self.runtime_dir / "nginx.conf"
        path.write_text(self.render())
        path.chmod(0o600)
        return path

    def command(self, config_path: Path) -> list[str]:
        nginx = find_nginx()
        if nginx is None:
            raise MediaServerUnavailable(
                "nginx is missing: apt-get install nginx libnginx-mod-rtmp"
            )
        return [nginx, "-c", str(config_path), "-p", str(self.runtime_dir)]
