from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def wallet(request):
    return render(request, "economy/wallet.html")
