"""One model per process, with the configured threads, named by a stable version."""

import hashlib
import re
import threading

import pytest

import trust.vision
from trust.vision import NudeNetClassifier, get_image_classifier, warm_up
from trust.vision.detector import model_path


def test_model_version_names_package_version_and_model_hash(classifier):
    digest = hashlib.sha256(model_path().read_bytes()).hexdigest()

    assert re.fullmatch(r"nudenet-3\.4\.2-[0-9a-f]{12}-r\d+", classifier.model_version)
    assert digest[:12] in classifier.model_version


def test_model_version_is_the_same_for_every_load(classifier):
    assert NudeNetClassifier().model_version == classifier.model_version


def test_the_process_loads_the_model_once_for_all_threads(monkeypatch):
    loads = []

    class CountingClassifier(NudeNetClassifier):
        def __init__(self, **kwargs):
            loads.append(kwargs)
            super().__init__(**kwargs)

    monkeypatch.setattr(trust.vision, "_classifier", None)
    monkeypatch.setattr(trust.vision, "NudeNetClassifier", CountingClassifier)
    start = threading.Barrier(8)
    got = []

    def first_use():
        start.wait()
        got.append(get_image_classifier())

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    warm_up()

    assert len(loads) == 1
    assert len({id(classifier) for classifier in got}) == 1
    assert get_image_classifier() is got[0]


def test_the_thread_setting_reaches_onnxruntime(monkeypatch, settings):
    settings.MODERATION_MODEL_THREADS = 2
    monkeypatch.setattr(trust.vision, "_classifier", None)

    classifier = get_image_classifier()

    options = classifier._session.get_session_options()
    assert options.intra_op_num_threads == 2
    assert options.inter_op_num_threads == 1


def test_the_default_is_one_thread_per_image():
    assert NudeNetClassifier()._session.get_session_options().intra_op_num_threads == 1


def test_zero_threads_is_refused():
    with pytest.raises(ValueError, match="threads"):
        NudeNetClassifier(threads=0)
