"""Pages and endpoints of the streams app, one module per area:

- `discovery`: home "Live now" grid, search and filters, category pages, reels.
- `watch`: the stream page (player, viewer heartbeat, reminders, VOD).
- `studio`: Go Live (browser camera or OBS), stream key, scheduling.
- `media`: serves live HLS when no media server sits in front.
- `rtmp`: nginx-rtmp callbacks (internal, shared secret).
"""
