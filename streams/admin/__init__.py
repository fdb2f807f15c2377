"""Admin pages for live video (`video`) and the live room (`room`)."""

from streams.admin import room, video  # noqa: F401
