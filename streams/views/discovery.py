"""Discovery: the home "Live" page, category pages and reels."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django_countries import countries

from growth.selectors import list_most_followed_creators
from streams import selectors
from streams.exceptions import StreamNotFound
from streams.models import STREAM_LANGUAGES
from trust.badges.selectors import attach_badges

CREATORS_ON_HOME_PAGE = 8
LIVE_STREAMS_PER_PAGE = 24
FOLLOWED_STREAMS_SHOWN = 12
UPCOMING_STREAMS_SHOWN = 8
SEARCH_MAX_LENGTH = 100
# The htmx filter form swaps only this element; everything else stays put.
LIVE_RESULTS_TARGET = "live-results"


@dataclass(frozen=True)
class LiveFilters:
    category: str = ""
    language: str = ""
    country: str = ""
    query: str = ""
    # On a category page the category is the page itself, not a filter to clear.
    category_is_page: bool = False

    @property
    def narrowed(self) -> bool:
        """Whether the visitor narrowed the grid (and can widen it again)."""
        chosen_category = bool(self.category) and not self.category_is_page
        return chosen_category or any((self.language, self.country, self.query))


def _read_filters(request, *, category_slug: str = "") -> LiveFilters:
    """The grid filters from the query string; unknown values are ignored."""
    language = request.GET.get("language", "")
    country = request.GET.get("country", "").upper()
    return LiveFilters(
        category=category_slug or request.GET.get("category", "").strip()[:60],
        language=language if language in dict(STREAM_LANGUAGES) else "",
        country=country if country in countries else "",
        query=request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH],
        category_is_page=bool(category_slug),
    )


def _live_page(request, filters: LiveFilters):
    live_streams = selectors.list_live_streams(
        category=filters.category,
        language=filters.language,
        country=filters.country,
        query=filters.query,
    )
    page = Paginator(live_streams, LIVE_STREAMS_PER_PAGE).get_page(request.GET.get("page"))
    attach_badges(users=[stream.host for stream in page.object_list])
    return page


def _wants_results_only(request) -> bool:
    """The htmx filter form asks for the grid alone (history restores get the page)."""
    return (
        request.headers.get("HX-Target") == LIVE_RESULTS_TARGET
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _filter_choices() -> dict:
    return {"languages": STREAM_LANGUAGES, "countries": list(countries)}


def live(request):
    filters = _read_filters(request)
    page = _live_page(request, filters)
    context = {"page": page, "filters": filters, "results_target": LIVE_RESULTS_TARGET}
    if _wants_results_only(request):
        return render(request, "streams/_live_results.html", context)
    user = request.user
    show_creators = not filters.narrowed and page.number == 1 and len(page) < LIVE_STREAMS_PER_PAGE
    context.update(
        {
            "categories": selectors.list_categories(),
            "followed_streams": (
                selectors.list_followed_live_streams(user=user)[:FOLLOWED_STREAMS_SHOWN]
                if user.is_authenticated
                else []
            ),
            "upcoming_streams": selectors.list_upcoming_streams(user=user)[:UPCOMING_STREAMS_SHOWN],
            "creators": (
                list_most_followed_creators(limit=CREATORS_ON_HOME_PAGE) if show_creators else []
            ),
            **_filter_choices(),
        }
    )
    return render(request, "streams/live.html", context)


def category(request, slug):
    try:
        stream_category = selectors.get_category(slug=slug)
    except StreamNotFound as error:
        raise Http404(error.message) from error
    filters = _read_filters(request, category_slug=stream_category.slug)
    page = _live_page(request, filters)
    context = {
        "category": stream_category,
        "page": page,
        "filters": filters,
        "results_target": LIVE_RESULTS_TARGET,
    }
    if _wants_results_only(request):
        return render(request, "streams/_live_results.html", context)
    context.update(
        {
            "upcoming_streams": selectors.list_upcoming_streams_in_category(
                category=stream_category, user=request.user
            )[:UPCOMING_STREAMS_SHOWN],
            **_filter_choices(),
        }
    )
    return render(request, "streams/category.html", context)


def reels(request):
    return render(request, "streams/reels.html")
