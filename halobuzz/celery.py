"""The Celery application. Tasks live in each app's tasks.py and are found by autodiscovery."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halobuzz.settings.local")

app = Celery("halobuzz")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_process_init.connect
def _load_moderation_model(**_kwargs) -> None:
    # Each prefork child loads the image-moderation model once, before its first frame
    # (trust.vision; a model loaded before the fork must not be shared).
    from trust import vision

    vision.warm_up()
