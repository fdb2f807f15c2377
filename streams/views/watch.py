def watch(request, stream_id):
    raise NotImplementedError


heartbeat = leave = reminder = delete_video = watch
