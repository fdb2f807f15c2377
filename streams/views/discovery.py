from django.shortcuts import render

from growth.selectors import list_most_followed_creators

CREATORS_ON_HOME_PAGE = 8


def live(request):
    creators = list_most_followed_creators(limit=CREATORS_ON_HOME_PAGE)
    return render(request, "streams/live.html", {"creators": creators})


def reels(request):
    return render(request, "streams/reels.html")


def category(request, slug):
    raise NotImplementedError
