"""Copies of a member's data: asked for on the privacy page, built by a Celery task
into a ZIP of one JSON file per data type (trust.privacy.exporters), kept in the
private storage and fetched through a signed link that lasts
PRIVACY_EXPORT_LINK_DAYS and works only for the signed-in owner."""

import json
import logging
import shutil
import tempfile
import uuid
import zipfile
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halobuzz.core.site_urls import absolute_url
from trust.privacy import selectors
from trust.privacy.exceptions import (
    ExportInProgress,
    ExportLinkExpired,
    ExportNotFound,
    ExportTooSoon,
)
from trust.privacy.exporters import registered_exporters
from trust.privacy.mail import send_member_email
from trust.privacy.models import DataExport
from trust.privacy.storage import EXPORTS_FOLDER, export_storage

logger = logging.getLogger(__name__)

DOWNLOAD_SALT = "trust.privacy.export-download"
# A build whose worker died is taken over by the next attempt after this long.
STALE_BUILD_AFTER = timedelta(minutes=30)


def _link_lifetime() -> timedelta:
    return timedelta(days=settings.PRIVACY_EXPORT_LINK_DAYS)


def request_data_export(*, user, now: datetime | None = None) -> DataExport:
    """Ask for a copy of the member's data; a task builds it after the commit.

    Raises ExportInProgress while one is being prepared and ExportTooSoon within
    PRIVACY_EXPORT_MIN_INTERVAL_HOURS of the last one that did not fail.
    """
    from trust.privacy import tasks

    now = now or timezone.now()
    with transaction.atomic():
        if selectors.get_export_in_progress(user=user) is not None:
            raise ExportInProgress()
        interval = timedelta(hours=settings.PRIVACY_EXPORT_MIN_INTERVAL_HOURS)
        last = (
            DataExport.objects.filter(user=user, requested_at__gt=now - interval)
            .exclude(status=DataExport.Status.FAILED)
            .order_by("-requested_at")
            .first()
        )
        if last is not None:
            raise ExportTooSoon(available_at=last.requested_at + interval)
        try:
            with transaction.atomic():
                export = DataExport.objects.create(user=user)
        except IntegrityError:
            # Another request of this member's created one between our check and insert.
            raise ExportInProgress() from None
        transaction.on_commit(lambda: tasks.build_data_export.delay(export.pk))
    return export


def _claim(export_id: int, *, now: datetime) -> DataExport | None:
    """Mark the export running, unless it is done or another worker is building it."""
    claimable = Q(status=DataExport.Status.PENDING) | Q(
        status=DataExport.Status.RUNNING, started_at__lt=now - STALE_BUILD_AFTER
    )
    claimed = DataExport.objects.filter(claimable, pk=export_id).update(
        status=DataExport.Status.RUNNING, started_at=now
    )
    if not claimed:
        return None
    return DataExport.objects.select_related("user").get(pk=export_id)


def write_export_zip(*, user, destination) -> list[str]:
    """Write every exporter's JSON for `user` into the ZIP file object `destination`.
    Returns the names of the files written."""
    names = []
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, export_function in registered_exporters().items():
            data = export_function(user=user)
            file_name = f"{name}.json"
            archive.writestr(
                file_name, json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            )
            names.append(file_name)
        manifest = {
            "generated_at": timezone.now(),
            "account": user.username,
            "privacy_policy_version": settings.PRIVACY_POLICY_VERSION,
            "files": names,
        }
        archive.writestr("manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder, indent=2))
    return names


def build_data_export(*, export_id: int, now: datetime | None = None) -> DataExport | None:
    """Build the ZIP for a pending export, store it privately and email the link.

    Safe to run twice: an export that is ready, failed, expired or being built by
    another worker is left alone (None). The result is written only while the export
    is still this run's claim (running, since the time this run claimed it): when
    another worker took a stale build over, or the account was deleted meanwhile,
    this run's file is deleted and nothing changes (None). A failure marks the
    claimed export failed (the member may ask again at once), deletes any file
    already saved and is re-raised for the logs.
    """
    now = now or timezone.now()
    export = _claim(export_id, now=now)
    if export is None:
        return None
    this_claim = DataExport.objects.filter(
        pk=export.pk, status=DataExport.Status.RUNNING, started_at=export.started_at
    )
    storage = export_storage()
    name = f"{EXPORTS_FOLDER}/{export.user_id}/{uuid.uuid4().hex}.zip"
    stored_name = None
    try:
        with tempfile.TemporaryFile() as scratch:
            write_export_zip(user=export.user, destination=scratch)
            scratch.seek(0)
            stored_name = storage.save(name, File(scratch, name=name))
        size = storage.size(stored_name)
        completed_at = timezone.now()
        finished = this_claim.update(
            status=DataExport.Status.READY,
            file_name=stored_name,
            size_bytes=size,
            completed_at=completed_at,
            expires_at=completed_at + _link_lifetime(),
        )
    except Exception as error:
        if stored_name is not None:
            storage.delete(stored_name)
        this_claim.update(status=DataExport.Status.FAILED, failure=str(error)[:300])
        raise
    if not finished:
        storage.delete(stored_name)
        logger.info("privacy: export %s was no longer this build's; file discarded", export.pk)
        return None
    export.refresh_from_db()
    transaction.on_commit(lambda: _email_export_ready(export))
    return export


def make_download_token(export: DataExport) -> str:
    return signing.dumps({"export": export.pk, "user": export.user_id}, salt=DOWNLOAD_SALT)


def download_url(export: DataExport) -> str:
    return reverse("privacy:download_export", args=[make_download_token(export)])


def get_export_for_download(*, token: str, user, now: datetime | None = None) -> DataExport:
    """The export a download link names, for its signed-in owner.

    Raises ExportNotFound for a forged link or someone else's, and ExportLinkExpired
    when the link is older than PRIVACY_EXPORT_LINK_DAYS or the file is gone.
    """
    now = now or timezone.now()
    try:
        payload = signing.loads(token, salt=DOWNLOAD_SALT, max_age=_link_lifetime())
    except signing.SignatureExpired:
        raise ExportLinkExpired() from None
    except signing.BadSignature:
        raise ExportNotFound() from None
    if not isinstance(payload, dict) or payload.get("user") != user.pk:
        raise ExportNotFound()
    export = DataExport.objects.filter(pk=payload.get("export"), user=user).first()
    if export is None:
        raise ExportNotFound()
    if export.status != DataExport.Status.READY or export.expires_at <= now:
        raise ExportLinkExpired()
    if not export_storage().exists(export.file_name):
        raise ExportLinkExpired()
    return export


def open_export_file(export: DataExport):
    return export_storage().open(export.file_name, "rb")


def delete_export_file(*, export: DataExport) -> None:
    """Delete the export's file (if any) and mark it expired. Safe to repeat."""
    if export.file_name:
        export_storage().delete(export.file_name)
    DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.EXPIRED, file_name="")


def delete_member_exports(*, user) -> None:
    """Every copy of the member's data: all their exports are marked expired, then
    their whole folder goes, with files no row names (a build that crashed after
    saving). Marking first means a build still running finds its claim gone and
    deletes its own file (build_data_export). Safe to repeat; an error removing the
    folder is raised, so the deletion is tried again rather than leave files."""
    DataExport.objects.filter(user=user).update(status=DataExport.Status.EXPIRED, file_name="")
    storage = export_storage()
    folder = f"{EXPORTS_FOLDER}/{user.pk}"
    if storage.exists(folder):
        shutil.rmtree(storage.path(folder))


def purge_expired_exports(*, now: datetime | None = None) -> int:
    """Delete the files of exports whose link has expired; build again, after the
    commit, the exports whose worker died (running past STALE_BUILD_AFTER) or whose
    task was lost (pending as long); fail builds that never finished in a day.
    Returns how many files were deleted."""
    from trust.privacy import tasks

    now = now or timezone.now()
    purged = 0
    for export in DataExport.objects.filter(pk__in=selectors.list_expired_export_ids(now=now)):
        delete_export_file(export=export)
        purged += 1
    DataExport.objects.filter(
        status__in=DataExport.IN_PROGRESS, requested_at__lt=now - timedelta(days=1)
    ).update(status=DataExport.Status.FAILED, failure="The build did not finish in a day.")
    for export_id in selectors.list_stuck_export_ids(now=now, stale_after=STALE_BUILD_AFTER):
        logger.warning("privacy: export %s is stuck; building it again", export_id)
        transaction.on_commit(partial(tasks.build_data_export.delay, export_id))
    return purged


def _email_export_ready(export: DataExport) -> None:
    user = export.user
    send_member_email(
        to=user.email,
        language=user.preferred_language,
        time_zone=user.time_zone,
        subject=_("Your HaloBuzz data is ready to download"),
        template="trust/privacy/email/export_ready.txt",
        context={
            "user": user,
            "url": absolute_url(download_url(export)),
            "expires_at": export.expires_at,
        },
    )
