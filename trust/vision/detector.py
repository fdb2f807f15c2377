"""The NudeNet detector run directly through onnxruntime, with Pillow and numpy.

The `nudenet` wheel ships its model (``nudenet/320n.onnx``, a YOLOv8n detector with a
320x320 input and the 18 classes in `NUDENET_CLASSES`) inside the package, so nothing
is downloaded. We use only that file: the package's own Python code needs OpenCV
(a 70 MB wheel) and, since 3.4, hands the model BGR pixels although it was trained on
RGB, as the release before converted them (notAI-tech/NudeNet#203). So the pipeline is
re-done here the way the package does it otherwise: pad the picture with black to a
square at the bottom and right, scale it to 320x320 (Pillow's bilinear filter), RGB
scaled to [0, 1]; keep each candidate box's best class at confidence ≥ 0.25; drop
boxes that overlap a more confident one by IoU > 0.45, whatever their class. Against
the package's own code fed RGB: the same confidences on bench/data/moderation (images
of at most 320 px), within 0.05 on larger photos (Pillow's bilinear shrink averages
more pixels than OpenCV's).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import time
from pathlib import Path

import numpy as np
from PIL import Image

from trust.vision.images import ImageInput, load_rgb
from trust.vision.scoring import nsfw_score
from trust.vision.verdict import Detection, ImageVerdict

MODEL_PACKAGE = "nudenet"
MODEL_FILE = "nudenet/320n.onnx"
INPUT_SIZE = 320
# The output's class rows, in the order the model was trained with (nudenet 3.4.2).
NUDENET_CLASSES = (
    "FEMALE_GENITALIA_COVERED",
    "FACE_FEMALE",
    "BUTTOCKS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "FEET_EXPOSED",
    "BELLY_COVERED",
    "FEET_COVERED",
    "ARMPITS_COVERED",
    "ARMPITS_EXPOSED",
    "FACE_MALE",
    "BELLY_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_COVERED",
    "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)
MIN_CONFIDENCE = 0.25
OVERLAP_IOU = 0.45
# Bumped whenever pre-processing, post-processing or the score rule changes, so that a
# stored model_version always says how its score was computed.
SCORING_REVISION = 1


def model_path() -> Path:
    """The ONNX file inside the installed `nudenet` distribution (never imported:
    importing it would need OpenCV)."""
    try:
        distribution = importlib.metadata.distribution(MODEL_PACKAGE)
    except importlib.metadata.PackageNotFoundError as error:
        raise RuntimeError(
            "The image moderation model is missing: install the `nudenet` package "
            "(requirements-nodeps.txt)."
        ) from error
    path = Path(str(distribution.locate_file(MODEL_FILE)))
    if not path.is_file():
        raise RuntimeError(f"The `nudenet` package has no model at {path}.")
    return path


def model_version_of(path: Path) -> str:
    """``nudenet-<version>-<first 12 hex of the model's sha256>-r<scoring revision>``."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    version = importlib.metadata.version(MODEL_PACKAGE)
    return f"{MODEL_PACKAGE}-{version}-{digest[:12]}-r{SCORING_REVISION}"


class NudeNetClassifier:
    """NSFW score of an image from NudeNet's body-part detections.

    Thread-safe: an onnxruntime session may be run from several threads at once, and
    everything else here is per call. `threads` is onnxruntime's intra-op thread
    count for one image; 1 keeps one classification on one core, so a worker process
    per core scales linearly.
    """

    def __init__(self, *, path: Path | None = None, threads: int = 1):
        import onnxruntime

        if threads < 1:
            raise ValueError("threads must be at least 1")
        self.path = path or model_path()
        self.model_version = model_version_of(self.path)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3  # errors only: no start-up chatter in worker logs
        self._session = onnxruntime.InferenceSession(
            str(self.path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input_name = self._session.get_inputs()[0].name

    def classify(self, image: ImageInput) -> ImageVerdict:
        """Score one image (bytes of an image file, or a decoded `PIL.Image`).

        Raises `InvalidImage` / `ImageTooLarge` for input that is not a readable image.
        """
        started = time.perf_counter()
        picture = load_rgb(image, draft_size=INPUT_SIZE)
        batch, scale = model_input(picture)
        (output,) = self._session.run(None, {self._input_name: batch})
        detections = _detections(output[0], scale=scale, size=picture.size)
        labels: dict[str, float] = {}
        for detection in detections:
            labels[detection.label] = max(labels.get(detection.label, 0.0), detection.confidence)
        return ImageVerdict(
            score=nsfw_score(labels),
            labels=labels,
            model_version=self.model_version,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            detections=detections,
        )


def model_input(picture: Image.Image) -> tuple[np.ndarray, float]:
    """The model's input (1x3x320x320 float32) and the factor from input pixels back
    to the picture's."""
    width, height = picture.size
    scale = INPUT_SIZE / max(width, height)
    resized = picture.resize(
        (max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.BILINEAR
    )
    canvas = Image.new("RGB", (INPUT_SIZE, INPUT_SIZE))
    canvas.paste(resized, (0, 0))
    pixels = np.asarray(canvas, dtype=np.float32) / np.float32(255)
    return np.ascontiguousarray(pixels.transpose(2, 0, 1)[np.newaxis]), 1 / scale


def _detections(
    output: np.ndarray, *, scale: float, size: tuple[int, int]
) -> tuple[Detection, ...]:
    """Detections from one image's raw output (4 box rows + one row per class, by
    candidate), most confident first."""
    candidates = output.T
    class_scores = candidates[:, 4:]
    class_ids = class_scores.argmax(axis=1)
    confidences = class_scores.max(axis=1)
    kept = np.flatnonzero(confidences >= MIN_CONFIDENCE)
    if kept.size == 0:
        return ()
    centre_x, centre_y, box_width, box_height = candidates[kept, :4].T
    corners = np.stack(
        [
            centre_x - box_width / 2,
            centre_y - box_height / 2,
            centre_x + box_width / 2,
            centre_y + box_height / 2,
        ],
        axis=1,
    )
    chosen = _non_max_suppression(corners, confidences[kept])
    width, height = size
    found = []
    for index in chosen:
        left, top, right, bottom = (corners[index] * scale).tolist()
        left, top = min(max(left, 0.0), width), min(max(top, 0.0), height)
        right, bottom = min(max(right, left), width), min(max(bottom, top), height)
        found.append(
            Detection(
                label=NUDENET_CLASSES[int(class_ids[kept[index]])],
                confidence=float(confidences[kept[index]]),
                box=(round(left), round(top), round(right - left), round(bottom - top)),
            )
        )
    return tuple(found)


def _non_max_suppression(corners: np.ndarray, confidences: np.ndarray) -> list[int]:
    """Indexes of the boxes to keep, most confident first: greedily drop every box that
    overlaps an already kept one by more than `OVERLAP_IOU`."""
    order = confidences.argsort()[::-1]
    areas = (corners[:, 2] - corners[:, 0]).clip(0) * (corners[:, 3] - corners[:, 1]).clip(0)
    kept: list[int] = []
    while order.size:
        best, rest = order[0], order[1:]
        kept.append(int(best))
        overlap_width = (
            np.minimum(corners[best, 2], corners[rest, 2])
            - np.maximum(corners[best, 0], corners[rest, 0])
        ).clip(0)
        overlap_height = (
            np.minimum(corners[best, 3], corners[rest, 3])
            - np.maximum(corners[best, 1], corners[rest, 1])
        ).clip(0)
        overlap = overlap_width * overlap_height
        union = areas[best] + areas[rest] - overlap
        iou = np.divide(overlap, union, out=np.zeros_like(overlap), where=union > 0)
        order = rest[iou <= OVERLAP_IOU]
    return kept
