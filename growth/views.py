from django.shortcuts import render

from growth.selectors import list_most_followed_creators

LEADERBOARD_SIZE = 50


def leaderboards(request):
    creators = list_most_followed_creators(limit=LEADERBOARD_SIZE)
    return render(request, "growth/leaderboards.html", {"creators": creators})
