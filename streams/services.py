"""Writes for live video, rooms, chat, reels and LinkCast.

Every change to a stream, room or reel goes through a function here (see
docs/architecture.md); views, consumers and tasks call them.
"""
