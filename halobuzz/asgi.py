"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Defaults to production settings so that a server started without
DJANGO_SETTINGS_MODULE refuses to run without its secrets rather than running
with debug on.
"""

import os
import threading

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halobuzz.settings.production")

# Django must be set up before anything imports models (the websocket routes do).
django_asgi_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from halobuzz.core.websocket import ServerSendMiddleware  # noqa: E402
from halobuzz.routing import websocket_urlpatterns  # noqa: E402
from trust import automod  # noqa: E402

# AutoMod's model takes ~2 s to load; load it now, beside serving, rather than on the
# first chat message.
threading.Thread(target=automod.warm_up, name="automod-warm-up", daemon=True).start()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_application,
        "websocket": ServerSendMiddleware(
            AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
