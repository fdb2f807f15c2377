from django.shortcuts import render

from economy import leaderboards as gift_boards
from economy.selectors.gifts import list_top_earning_creators
from growth.selectors import list_most_followed_creators

LEADERBOARD_SIZE = 50
EARNERS_SHOWN = 10
EARNING_PERIODS = (gift_boards.DAY, gift_boards.WEEK)


def leaderboards(request):
    period = request.GET.get("period")
    period = period if period in EARNING_PERIODS else gift_boards.DAY
    context = {
        "creators": list_most_followed_creators(limit=LEADERBOARD_SIZE),
        "earners": list_top_earning_creators(period=period, limit=EARNERS_SHOWN),
        "period": period,
    }
    return render(request, "growth/leaderboards.html", context)
