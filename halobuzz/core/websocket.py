"""ASGI plumbing for WebSocket consumers."""

# Where `ServerSendMiddleware` puts the server's own `send` in the scope.
SERVER_SEND = "halobuzz.server_send"


class ServerSendMiddleware:
    """Offers consumers that write many frames the server's `send`, unwrapped.

    Channels' session middleware wraps `send` to save the session on HTTP responses;
    for every WebSocket frame that wrapper still reads the lazy session object, which
    a room sending thousands of frames a second pays for and never needs. Outermost in
    the WebSocket stack, so the `send` it records is the server's.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        return await self.app({**scope, SERVER_SEND: send}, receive, send)
