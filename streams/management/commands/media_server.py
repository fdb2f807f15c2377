import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from streams.media_server import MediaServerConfig, MediaServerUnavailable


class Command(BaseCommand):
    help = (
        "Run nginx with the RTMP module for OBS ingest and HLS (foreground), "
        "or print its config with --print-config."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rtmp-port", type=int, default=settings.MEDIA_SERVER_RTMP_PORT)
        parser.add_argument("--http-port", type=int, default=settings.MEDIA_SERVER_HTTP_PORT)
        parser.add_argument(
            "--app",
            default=f"127.0.0.1:{os.environ.get('PORT', '8000')}",
            help="host:port of the HaloBuzz ASGI server (default 127.0.0.1:$PORT)",
        )
        parser.add_argument("--print-config", action="store_true")

    def handle(self, *args, **options):
        config = MediaServerConfig(
            rtmp_port=options["rtmp_port"],
            http_port=options["http_port"],
            app_address=options["app"],
            runtime_dir=settings.VAR_DIR / "nginx",
        )
        try:
            if options["print_config"]:
                self.stdout.write(config.render())
                return
            path = config.write()
            command = config.command(path)
        except MediaServerUnavailable as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Media server: OBS -> rtmp://127.0.0.1:{config.rtmp_port}/live, "
            f"site and HLS on http://127.0.0.1:{config.http_port}"
        )
        os.execv(command[0], command)  # noqa: S606 - replace this process with nginx
