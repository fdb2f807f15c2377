import asyncio

from channels.layers import get_channel_layer


async def test_an_idle_receiver_keeps_listening_past_the_blocking_pop(redis_url):
    """Consumers wait on the layer for as long as a socket is idle; channels-redis
    polls with a 5 s blocking pop, which must not trip the Redis client's timeout."""
    layer = get_channel_layer()
    channel = await layer.new_channel()

    async def send_later():
        await asyncio.sleep(6)
        await layer.send(channel, {"type": "room.message", "text": "still here"})

    sender = asyncio.create_task(send_later())
    message = await asyncio.wait_for(layer.receive(channel), timeout=10)
    await sender
    assert message == {"type": "room.message", "text": "still here"}
