"""Reads for live video, rooms, chat, reels and LinkCast: discovery lists and lookups."""
