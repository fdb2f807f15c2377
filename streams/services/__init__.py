"""Writes for live video. Every change to a stream goes through a function here.

- `keys`: create, reveal, rotate and disable stream keys.
- `lifecycle`: create/schedule/update streams and move them scheduled -> live ->
  (interrupted ->) ended.
- `publishing`: decisions for the two ingest paths (browser socket, nginx-rtmp callbacks).
- `viewers`: viewer heartbeats, sessions and the counts derived from them.
- `reminders`: reminders for scheduled streams and go-live notifications.
- `media`: thumbnails, frame history and VODs (ffmpeg work, run by Celery tasks).
"""
