from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def studio(request):
    return render(request, "streams/studio.html")


def prepare(request):
    raise NotImplementedError


schedule = stop = rotate_key = prepare
