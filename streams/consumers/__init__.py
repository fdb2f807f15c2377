"""WebSocket consumers: the studio's publishing socket and the live room."""
