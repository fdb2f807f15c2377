"""Image moderation on the labelled set in bench/data/moderation: precision, recall and
F1 at the review and block thresholds, and milliseconds per frame on one core.

Usage:

    .venv/bin/python bench/moderation_eval.py
    .venv/bin/python bench/moderation_eval.py --repeat 20 --json var/moderation_eval.json

Scores every image of `manifest.csv` once with `trust.vision` (the NudeNet model shipped
in the `nudenet` wheel, run through onnxruntime with MODERATION_MODEL_THREADS threads)
and compares `decide(score)` with the image's label: a "nsfw" image counts as found at
a threshold when its score is at or above it. Then times `classify` on every image
`--repeat` more times, one image after another, with the process pinned to one CPU:
wall and CPU milliseconds per frame (decoding, letterboxing, inference and
post-processing; the bytes are already in memory), and frames a second for that core.
No network and no database: only the settings are read. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_SET = ROOT / "bench" / "data" / "moderation"
OUTCOMES = ("pass", "review", "block")
SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9)


def load_set(folder: Path) -> list[dict]:
    with (folder / "manifest.csv").open(newline="") as manifest:
        rows = list(csv.DictReader(manifest))
    for row in rows:
        if row["label"] not in {"nsfw", "safe"}:
            raise SystemExit(f"{row['file']}: label must be nsfw or safe, not {row['label']!r}")
        row["bytes"] = (folder / row["file"]).read_bytes()
    return rows


def rates(rows: list[dict], threshold: float) -> dict:
    """Confusion counts and precision/recall/F1 of "score >= threshold" as "nsfw"."""
    found = [row for row in rows if row["score"] >= threshold]
    true_positives = sum(row["label"] == "nsfw" for row in found)
    false_positives = len(found) - true_positives
    positives = sum(row["label"] == "nsfw" for row in rows)
    false_negatives = positives - true_positives
    true_negatives = len(rows) - positives - false_positives
    precision = true_positives / len(found) if found else 0.0
    recall = true_positives / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "threshold": threshold,
        "true_positives": true_positives,
        "false_positives": false_positives,
        "false_negatives": false_negatives,
        "true_negatives": true_negatives,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def as_hd_frame(data: bytes, size: tuple[int, int]) -> bytes:
    """The image stretched to a stream frame's size and saved as a JPEG (quality 85), as
    a 720p/1080p thumbnail arrives: decoding it costs more than a 320 px file."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        frame = image.convert("RGB").resize(size, Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    frame.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def time_frames(classifier, frames: list[bytes], repeat: int) -> dict:
    """Classify `frames` `repeat` times one after another: wall and CPU ms per frame."""
    wall_ms, cpu_ms = [], []
    machine_before = machine_busy_seconds()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for frame in frames:
            wall, cpu = time.perf_counter(), time.process_time()
            classifier.classify(frame)
            wall_ms.append((time.perf_counter() - wall) * 1000)
            cpu_ms.append((time.process_time() - cpu) * 1000)
    elapsed, cpu_elapsed = time.perf_counter() - started, time.process_time() - cpu_started
    machine = machine_busy_seconds()[0] - machine_before
    return {
        "frames": len(wall_ms),
        "mean_ms": round(statistics.fmean(wall_ms), 1),
        "p50_ms": round(percentile(wall_ms, 0.5), 1),
        "p95_ms": round(percentile(wall_ms, 0.95), 1),
        "max_ms": round(max(wall_ms), 1),
        "cpu_mean_ms": round(statistics.fmean(cpu_ms), 1),
        "frames_per_second": round(len(wall_ms) / elapsed, 1),
        "cpu_share": round(cpu_elapsed / elapsed, 2),
        "other_work_cores": round(max(0.0, machine - cpu_elapsed) / elapsed, 2),
    }


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / ticks, sum(fields[:8]) / ticks


def wait_for_quiet_machine(limit: float, patience: float = 300) -> float:
    """Other work skews wall times: wait (bounded) until the CPUs are below `limit` %."""
    deadline = time.monotonic() + patience
    while True:
        busy_before, total_before = machine_busy_seconds()
        time.sleep(3)
        busy_after, total_after = machine_busy_seconds()
        busy = 100 * (busy_after - busy_before) / max(total_after - total_before, 1e-9)
        if busy <= limit or time.monotonic() > deadline:
            return busy
        print(f"  waiting for a quiet machine (CPU {busy:.0f} % busy)", file=sys.stderr)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def evaluate(args: argparse.Namespace) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halobuzz.settings.test")
    from django.conf import settings

    cpus = sorted(os.sched_getaffinity(0))
    pinned = args.cpu if args.cpu is not None else cpus[-1]
    os.sched_setaffinity(0, {pinned})

    started = time.perf_counter()
    import onnxruntime

    from trust.vision import NudeNetClassifier, decide

    classifier = NudeNetClassifier(threads=args.threads or settings.MODERATION_MODEL_THREADS)
    load_seconds = time.perf_counter() - started
    review = args.review if args.review is not None else settings.MODERATION_REVIEW_THRESHOLD
    block = args.block if args.block is not None else settings.MODERATION_BLOCK_THRESHOLD

    rows = load_set(args.set)
    for row in rows:
        verdict = classifier.classify(row["bytes"])
        row["score"] = verdict.score
        row["labels"] = {label: round(value, 3) for label, value in verdict.labels.items()}
        row["decision"] = str(decide(verdict.score, review_threshold=review, block_threshold=block))

    hd_frames = [as_hd_frame(row["bytes"], args.hd_size) for row in rows]
    if args.quiet_below:
        wait_for_quiet_machine(args.quiet_below)
    timing = time_frames(classifier, [row["bytes"] for row in rows], args.repeat)
    hd_timing = time_frames(classifier, hd_frames, args.repeat)

    confusion = {
        label: {outcome: sum(r["label"] == label and r["decision"] == outcome for r in rows)
                for outcome in OUTCOMES}
        for label in ("nsfw", "safe")
    }  # fmt: skip
    # An nsfw image that nobody would look at, or a safe one a moderator would be asked
    # about (or that would be hidden).
    wrong = [row for row in rows if (row["label"] == "nsfw") != (row["score"] >= review)]
    return {
        "model_version": classifier.model_version,
        "onnxruntime": onnxruntime.__version__,
        "threads": args.threads or settings.MODERATION_MODEL_THREADS,
        "cpu": cpu_model(),
        "pinned_to_cpu": pinned,
        "python": platform.python_version(),
        "load_seconds": round(load_seconds, 2),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "images": len(rows),
        "nsfw_images": sum(row["label"] == "nsfw" for row in rows),
        "review": rates(rows, review),
        "block": rates(rows, block),
        "confusion": confusion,
        "misclassified": [
            {key: row[key] for key in ("file", "label", "score", "decision", "labels")}
            for row in wrong
        ],
        "sweep": [rates(rows, threshold) for threshold in SWEEP],
        "timing": timing,
        "timing_hd": {"size": "x".join(map(str, args.hd_size)), **hd_timing},
        "scores": {row["file"]: round(row["score"], 3) for row in rows},
    }


def report(figures: dict) -> None:
    print(f"model {figures['model_version']} (onnxruntime {figures['onnxruntime']}, "
          f"{figures['threads']} thread) on {figures['cpu']}, pinned to CPU "
          f"{figures['pinned_to_cpu']}; loaded in {figures['load_seconds']} s, "
          f"peak RSS {figures['max_rss_mib']} MiB")  # fmt: skip
    print(f"{figures['images']} images, {figures['nsfw_images']} labelled nsfw\n")
    print("| threshold | precision | recall | F1 | TP | FP | FN | TN |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in ("review", "block"):
        r = figures[name]
        print(f"| {name} ≥ {r['threshold']} | {r['precision']:.3f} | {r['recall']:.3f} | "
              f"{r['f1']:.3f} | {r['true_positives']} | {r['false_positives']} | "
              f"{r['false_negatives']} | {r['true_negatives']} |")  # fmt: skip
    print("\n| label \\ decision | pass | review | block |")
    print("| --- | ---: | ---: | ---: |")
    for label, counts in figures["confusion"].items():
        print(f"| {label} | " + " | ".join(str(counts[o]) for o in OUTCOMES) + " |")
    if figures["misclassified"]:
        print("\nmisclassified (nsfw below review, or safe at review or above):")
        for row in figures["misclassified"]:
            print(f"  {row['file']:34} {row['label']:4} score {row['score']:.3f} "
                  f"-> {row['decision']:6} {row['labels']}")  # fmt: skip
    print("\nthreshold sweep: " + ", ".join(
        f"{r['threshold']}: P {r['precision']:.2f} R {r['recall']:.2f}" for r in figures["sweep"]
    ))  # fmt: skip
    for name, timing in (
        ("set as stored", figures["timing"]),
        (f"as {figures['timing_hd']['size']} JPEG", figures["timing_hd"]),
    ):
        print(f"\n{name}, {timing['frames']} frames one after another: mean "
              f"{timing['mean_ms']} ms, p50 {timing['p50_ms']} ms, p95 {timing['p95_ms']} ms, "
              f"max {timing['max_ms']} ms; CPU {timing['cpu_mean_ms']} ms a frame; "
              f"{timing['frames_per_second']} frames/s on one core "
              f"(the process had {timing['cpu_share']:.0%} of it; other work used "
              f"{timing['other_work_cores']} cores)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    add = parser.add_argument
    add("--set", type=Path, default=DEFAULT_SET, help="folder with manifest.csv and images")
    add("--review", type=float, help="review threshold (default MODERATION_REVIEW_THRESHOLD)")
    add("--block", type=float, help="block threshold (default MODERATION_BLOCK_THRESHOLD)")
    add("--threads", type=int, help="onnxruntime threads (default MODERATION_MODEL_THREADS)")
    add("--repeat", type=int, default=10, help="timed passes over the set")
    add("--hd-size", type=lambda text: tuple(int(n) for n in text.split("x")),
        default=(1920, 1080), help="also time every image as a JPEG of this size")  # fmt: skip
    add("--cpu", type=int, help="CPU to pin to (default the last one this process may use)")
    add(
        "--quiet-below",
        type=float,
        default=25,
        help="first wait (at most 5 min) until the CPUs are this %% busy or less; 0: no wait",
    )
    add("--json", help="also write every figure to this file (- for standard output)")
    args = parser.parse_args()
    figures = evaluate(args)
    if args.json == "-":
        print(json.dumps(figures, indent=1))
        return
    report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
