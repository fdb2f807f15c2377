import importlib
from datetime import timedelta

import factory
from django.utils import timezone

from streams.models import Stream, StreamCategory, ViewerSession
from tests.factories import UserFactory

_SEED = importlib.import_module("streams.migrations.0002_seed_categories")


def category(slug: str = "music") -> StreamCategory:
    """One of the categories the streams migrations seed (re-made after a
    transactional test flushed the tables)."""
    slugs = [row[0] for row in _SEED.CATEGORIES]
    if slug not in slugs:
        return StreamCategory.objects.get(slug=slug)
    found, _ = StreamCategory.objects.get_or_create(
        slug=slug, defaults=_SEED.category_fields(slugs.index(slug))
    )
    return found


class StreamFactory(factory.django.DjangoModelFactory):
    """A scheduled (not yet live) stream; use LiveStreamFactory for one on air."""

    class Meta:
        model = Stream

    host = factory.SubFactory(UserFactory, is_creator=True)
    title = factory.Sequence(lambda n: f"Evening session {n}")
    category = factory.LazyFunction(lambda: category("music"))
    language = "en"
    tags = factory.LazyFunction(lambda: ["acoustic"])


class LiveStreamFactory(StreamFactory):
    status = Stream.Status.LIVE
    started_at = factory.LazyFunction(timezone.now)
    last_ingest_at = factory.LazyFunction(timezone.now)


class EndedStreamFactory(StreamFactory):
    status = Stream.Status.ENDED
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ended_at = factory.LazyFunction(timezone.now)
    end_reason = Stream.EndReason.HOST


class ViewerSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ViewerSession

    stream = factory.SubFactory(LiveStreamFactory)
    viewer = factory.SubFactory(UserFactory)
    joined_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)


_EMOTE_SEED = importlib.import_module("streams.migrations.0005_seed_emotes")


def seed_emotes() -> None:
    """The built-in emotes the migrations seed (re-made after a transactional test
    flushed the tables)."""
    from streams.models import Emote
    from streams.selectors.room import forget_cached_emotes

    for position, (code, _name) in enumerate(_EMOTE_SEED.EMOTES):
        Emote.objects.get_or_create(
            code=code, channel=None, defaults=_EMOTE_SEED.emote_fields(position)
        )
    forget_cached_emotes()
