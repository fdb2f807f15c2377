"""A production deploy can collect its static files (manifest storage follows every
reference, such as hls.js's source map)."""

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_production_storage_succeeds(tmp_path):
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    assert any((tmp_path / "vendor" / "hls").glob("hls.min.*.js"))
    assert (tmp_path / "staticfiles.json").exists()
