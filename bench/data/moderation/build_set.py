"""Rebuild the labelled image set that bench/moderation_eval.py scores.

Usage (from the top of the checkout):

    .venv/bin/python bench/data/moderation/build_set.py --skimage-data PATH/skimage/data

Writes every image of the set and `manifest.csv` into this folder. The renders are drawn
here with Pillow and numpy from fixed seeds, so the same Pillow and numpy give the same
files. The photos are copied from scikit-image's sample data (a folder of the
`scikit-image` wheel: `pip download scikit-image --no-deps` and unzip it; the photos'
licences are in README.md). Without `--skimage-data` only the renders are rebuilt and
the photos already here are kept. Nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.csv"
LONGEST_SIDE = 320
RENDER_LICENCE = "CC0-1.0 (drawn by build_set.py)"

# Six skin tones from light to dark, so that no tone is the only one the set covers.
SKIN_TONES = [
    (250, 220, 200),
    (236, 188, 160),
    (214, 160, 120),
    (176, 120, 84),
    (130, 84, 56),
    (86, 56, 40),
]
BACKGROUNDS = [(70, 90, 120), (230, 230, 225), (30, 30, 34), (120, 70, 90), (60, 110, 80)]


@dataclass(frozen=True)
class Item:
    file: str
    label: str  # "nsfw" or "safe"
    description: str
    make: Callable[[], Image.Image] | None = None  # None: a photo copied from scikit-image
    source: str = ""  # the photo's file in scikit-image's data folder
    credit: str = ""
    licence: str = RENDER_LICENCE
    quality: int = 90


# --- drawing -----------------------------------------------------------------------------


def _shaded_ellipse(pixels, centre, radii, colour, *, light=(-0.4, -0.5), strength=0.35):
    """Paint a sphere-like ellipse lit from the upper left onto `pixels` (float HxWx3)."""
    height, width, _ = pixels.shape
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float32)
    dx = (columns - centre[0]) / radii[0]
    dy = (rows - centre[1]) / radii[1]
    distance = dx * dx + dy * dy
    inside = distance <= 1
    facing = np.sqrt(np.clip(1 - distance, 0, 1))
    lit = np.clip(dx * light[0] + dy * light[1] + facing * 0.8, 0, None)
    shade = (1 - strength) + strength * lit
    painted = np.array(colour, np.float32)[None, None, :] * shade[..., None]
    pixels[inside] = painted[inside]
    return pixels


def _finish(pixels, seed: int, blur: float = 1.2) -> Image.Image:
    """Sensor-like noise and a soft focus, as a camera frame has."""
    noise = np.random.default_rng(seed).normal(0, 3, pixels.shape)
    image = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    return image.filter(ImageFilter.GaussianBlur(blur))


def _darker(colour, factor):
    return tuple(int(channel * factor) for channel in colour)


def front_torso(*, skin, background, seed=0, breast=0.14, spacing=0.2, cover=None, size=320):
    """A bare female torso seen from the front; `cover` ("top", "shirt") clothes it."""
    s = size
    canvas = Image.new("RGB", (s, s), background)
    draw = ImageDraw.Draw(canvas)
    outline = [(0.18, 0.05), (0.82, 0.05), (0.78, 0.45), (0.70, 0.70), (0.76, 1.0)]
    outline += [(0.24, 1.0), (0.30, 0.70), (0.22, 0.45)]
    draw.polygon([(x * s, y * s) for x, y in outline], fill=skin)
    draw.rectangle((0.42 * s, 0, 0.58 * s, 0.08 * s), fill=_darker(skin, 0.9))
    pixels = np.asarray(canvas).astype(np.float32)
    body = np.abs(pixels - np.array(skin)).sum(-1) < 3
    across = np.linspace(-1, 1, s)[None, :]
    pixels[body] *= np.broadcast_to((1 - 0.25 * across**2)[..., None], pixels.shape)[body]
    areola = _darker(skin, 0.72)
    centre_y = 0.36 * s
    for side in (-1, 1):
        centre_x = 0.5 * s + side * spacing * s
        _shaded_ellipse(pixels, (centre_x, centre_y), (breast * s, breast * s * 0.95), skin)
        if cover is None:
            nipple_y = centre_y + 0.02 * s
            _shaded_ellipse(pixels, (centre_x, nipple_y), (0.035 * s,) * 2, areola, strength=0.2)
            nipple = _darker(areola, 0.8)
            _shaded_ellipse(pixels, (centre_x, nipple_y), (0.012 * s,) * 2, nipple, strength=0.3)
    navel = _darker(skin, 0.6)
    _shaded_ellipse(pixels, (0.5 * s, 0.72 * s), (0.012 * s, 0.02 * s), navel, strength=0.2)
    if cover is not None:
        clothed = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        draw = ImageDraw.Draw(clothed)
        top, bottom = centre_y - breast * s * 1.1, centre_y + breast * s
        if cover == "top":
            draw.rectangle((0.2 * s, top, 0.8 * s, bottom), fill=(40, 40, 160))
        else:
            shirt = [(0.16, 0.12), (0.84, 0.12), (0.80, 0.45), (0.74, 1.0), (0.26, 1.0)]
            shirt += [(0.20, 0.45)]
            draw.polygon([(x * s, y * s) for x, y in shirt], fill=(200, 30, 60))
            draw.ellipse((0.40 * s, 0.04 * s, 0.60 * s, 0.18 * s), fill=_darker(skin, 0.9))
        pixels = np.asarray(clothed).astype(np.float32)
    return _finish(pixels, seed)


def rear_view(*, skin, background, seed=0, cover=False, size=320):
    """A bare body from behind, waist to thighs; `cover` adds swimming trunks."""
    s = size
    canvas = Image.new("RGB", (s, s), background)
    outline = [(0.30, 0), (0.70, 0), (0.78, 0.45), (0.80, 1.0), (0.20, 1.0), (0.22, 0.45)]
    ImageDraw.Draw(canvas).polygon([(x * s, y * s) for x, y in outline], fill=skin)
    pixels = np.asarray(canvas).astype(np.float32)
    for side in (-1, 1):
        centre = (0.5 * s + side * 0.145 * s, 0.58 * s)
        _shaded_ellipse(
            pixels, centre, (0.16 * s, 0.19 * s), skin, light=(-0.3, -0.6), strength=0.45
        )
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.line([(0.5 * s, 0.42 * s), (0.5 * s, 0.74 * s)], fill=_darker(skin, 0.55), width=3)
    if cover:
        trunks = [(0.30, 0.40), (0.70, 0.40), (0.80, 0.68), (0.5, 0.78), (0.20, 0.68)]
        draw.polygon([(x * s, y * s) for x, y in trunks], fill=(30, 30, 30))
    return _finish(np.asarray(image).astype(np.float32), seed)


def male_chest(*, skin, background, seed=0, size=320):
    """A bare male chest: broad and flat."""
    s = size
    canvas = Image.new("RGB", (s, s), background)
    outline = [(0.08, 0.08), (0.92, 0.08), (0.80, 0.55), (0.72, 1.0), (0.28, 1.0), (0.20, 0.55)]
    draw = ImageDraw.Draw(canvas)
    draw.polygon([(x * s, y * s) for x, y in outline], fill=skin)
    draw.rectangle((0.40 * s, 0, 0.60 * s, 0.1 * s), fill=_darker(skin, 0.9))
    pixels = np.asarray(canvas).astype(np.float32)
    for side in (-1, 1):
        centre = (0.5 * s + side * 0.2 * s, 0.34 * s)
        _shaded_ellipse(pixels, centre, (0.012 * s,) * 2, _darker(skin, 0.7), strength=0.2)
    navel = _darker(skin, 0.6)
    _shaded_ellipse(pixels, (0.5 * s, 0.72 * s), (0.012 * s, 0.02 * s), navel, strength=0.2)
    return _finish(pixels, seed)


def two_oranges(*, size=320, seed=0):
    """Two oranges side by side on a wooden table: round, shaded, skin-adjacent colours."""
    s = size
    pixels = np.zeros((s, s, 3), np.float32)
    grain = 0.08 * np.sin(np.linspace(0, 40, s))[None, :, None]
    pixels[:] = np.array((150, 105, 70), np.float32) * (1 + grain)
    for side in (-1, 1):
        centre = (0.5 * s + side * 0.2 * s, 0.55 * s)
        _shaded_ellipse(pixels, centre, (0.18 * s, 0.17 * s), (235, 140, 40), strength=0.5)
    return _finish(pixels, seed, blur=1.0)


def colour_wheel(*, size=320):
    """Hue around, saturation outwards, darkening to black at the rim."""
    rows, columns = np.mgrid[0:size, 0:size].astype(np.float32)
    middle = (size - 1) / 2
    dx, dy = (columns - middle) / middle, (rows - middle) / middle
    radius = np.sqrt(dx * dx + dy * dy)
    hue = (np.arctan2(dy, dx) / (2 * np.pi)) % 1
    hsv = np.stack([hue, np.clip(radius, 0, 1), np.ones_like(radius)], -1)
    rgb = np.asarray(Image.fromarray((hsv * 255).astype(np.uint8), "HSV").convert("RGB"))
    rgb = rgb.astype(np.float32) * np.clip((1 - radius) * 2.5, 0, 1)[..., None]
    rgb[radius > 1] = 0
    return Image.fromarray(rgb.astype(np.uint8))


def stream_title_card(*, seed=0):
    """A 16:9 "starting soon" card: a gradient and a few bars of text."""
    width, height = 320, 180
    across = np.linspace(0, 1, width)[None, :, None]
    pixels = np.array((40, 20, 90), np.float32) * (1 - across) + np.array((200, 60, 120)) * across
    pixels = np.broadcast_to(pixels, (height, width, 3)).copy()
    image = Image.fromarray(pixels.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((12, 12, 62, 32), radius=4, fill=(220, 30, 40))
    draw.text((20, 16), "LIVE", fill=(255, 255, 255))
    draw.text((90, 80), "Starting soon - stay tuned!", fill=(255, 255, 255))
    return _finish(np.asarray(image).astype(np.float32), seed, blur=0.4)


def in_frame(figure, *, scale, offset, background=(40, 40, 60), size=(320, 180), angle=0):
    """`figure` scaled to `scale` of the frame's height and placed at `offset` (0-1 in
    each direction), as in a 16:9 stream thumbnail."""
    width, height = size
    frame = Image.new("RGB", size, background)
    if angle:
        figure = figure.rotate(angle, Image.Resampling.BICUBIC, fillcolor=figure.getpixel((1, 1)))
    side = int(min(width, height) * scale)
    figure = figure.resize((side, side), Image.Resampling.LANCZOS)
    frame.paste(figure, (int(offset[0] * (width - side)), int(offset[1] * (height - side))))
    return frame


def avatar_thumbnail(image, side=128):
    return image.resize((side, side), Image.Resampling.LANCZOS)


# --- the set -----------------------------------------------------------------------------


def _front(tone, background, **kwargs):
    return lambda: front_torso(skin=SKIN_TONES[tone], background=BACKGROUNDS[background], **kwargs)


def _rear(tone, background, **kwargs):
    return lambda: rear_view(skin=SKIN_TONES[tone], background=BACKGROUNDS[background], **kwargs)


def _photo(name, description, credit, licence):
    file = f"photo-{name.split('.')[0]}.jpg"
    return Item(file, "safe", description, None, name, credit, licence)


ITEMS = [
    # Explicit: bare breasts from the front, across skin tones, framings and qualities.
    *[
        Item(f"render-front-tone{tone + 1}.jpg", "nsfw", f"bare torso, skin tone {tone + 1}",
             _front(tone, tone % len(BACKGROUNDS), seed=tone,
                    breast=(0.12, 0.14, 0.16)[tone % 3], spacing=(0.2, 0.19, 0.21)[tone % 3]))
        for tone in range(6)
    ],
    Item("render-front-stream-centre.jpg", "nsfw", "bare torso filling a 16:9 frame",
         lambda: in_frame(front_torso(skin=SKIN_TONES[1], background=BACKGROUNDS[0], seed=11),
                          scale=1.0, offset=(0.5, 0.5))),
    Item("render-front-stream-side.jpg", "nsfw", "bare torso at the left of a 16:9 frame",
         lambda: in_frame(front_torso(skin=SKIN_TONES[4], background=BACKGROUNDS[1], seed=12),
                          scale=0.6, offset=(0.1, 0.6))),
    Item("render-front-stream-small.jpg", "nsfw", "small bare torso in a corner of a frame",
         lambda: in_frame(front_torso(skin=SKIN_TONES[2], background=BACKGROUNDS[2], seed=13),
                          scale=0.35, offset=(0.0, 0.0))),
    Item("render-front-tilted.jpg", "nsfw", "bare torso tilted by 20 degrees",
         lambda: in_frame(front_torso(skin=SKIN_TONES[3], background=BACKGROUNDS[3], seed=14),
                          scale=1.0, offset=(0.5, 0.5), size=(320, 320), angle=20)),
    Item("render-front-avatar-lowq.jpg", "nsfw", "bare torso as a 128 px avatar, JPEG q25",
         lambda: avatar_thumbnail(front_torso(skin=SKIN_TONES[5], background=BACKGROUNDS[4],
                                              seed=15)), quality=25),
    Item("render-front-grey.jpg", "nsfw", "bare torso in greyscale",
         lambda: front_torso(skin=SKIN_TONES[2], background=BACKGROUNDS[0], seed=16)
         .convert("L")),
    # Explicit: bare buttocks.
    *[
        Item(f"render-rear-tone{tone + 1}.jpg", "nsfw", f"bare buttocks, skin tone {tone + 1}",
             _rear(tone, (tone + 2) % len(BACKGROUNDS), seed=20 + tone))
        for tone in (1, 3, 5)
    ],
    Item("render-rear-stream.jpg", "nsfw", "bare buttocks at the right of a 16:9 frame",
         lambda: in_frame(rear_view(skin=SKIN_TONES[0], background=BACKGROUNDS[1], seed=24),
                          scale=0.8, offset=(0.9, 0.5))),
    # Not explicit: the same bodies clothed, bare male chests, round things, graphics.
    Item("render-front-bikini-top.jpg", "safe", "torso in a bikini top", _front(1, 0, seed=30,
         cover="top")),
    Item("render-front-bikini-top-dark.jpg", "safe", "darker torso in a bikini top",
         _front(4, 1, seed=31, cover="top")),
    Item("render-front-shirt.jpg", "safe", "torso in a red shirt", _front(2, 2, seed=32,
         cover="shirt")),
    Item("render-rear-trunks.jpg", "safe", "body from behind in swimming trunks",
         _rear(2, 0, seed=33, cover=True)),
    Item("render-male-chest-tone1.jpg", "safe", "bare male chest, light skin",
         lambda: male_chest(skin=SKIN_TONES[0], background=BACKGROUNDS[0], seed=34)),
    Item("render-male-chest-tone5.jpg", "safe", "bare male chest, dark skin",
         lambda: male_chest(skin=SKIN_TONES[4], background=BACKGROUNDS[1], seed=35)),
    Item("render-two-oranges.jpg", "safe", "two oranges on a wooden table",
         lambda: two_oranges(seed=36)),
    Item("render-colour-wheel.png", "safe", "a colour wheel", colour_wheel),
    Item("render-stream-title-card.jpg", "safe", "a 'starting soon' stream card",
         lambda: stream_title_card(seed=37)),
    # Not explicit: photographs (scikit-image sample data).
    _photo("astronaut.png", "astronaut Eileen Collins, portrait", "NASA",
           "Public domain (NASA)"),
    _photo("camera.png", "man with a camera on a tripod", "Lav Varshney", "CC0-1.0"),
    _photo("chelsea.png", "a cat", "Stefan van der Walt", "CC0-1.0"),
    _photo("coffee.png", "a cup of coffee on a table", "Rachel Michetti", "CC0-1.0"),
    _photo("rocket.jpg", "a rocket launch", "SpaceX", "Public domain (SpaceX)"),
    _photo("horse.png", "silhouette of a horse", "Andreas Preuss (openclipart)", "CC0-1.0"),
    _photo("clock_motion.png", "a wall clock, motion blurred", "Stefan van der Walt",
           "Public domain"),
    _photo("brick.png", "a brick wall", "CC0Textures", "CC0-1.0"),
    _photo("grass.png", "grass", "linolafett (DeviantArt)", "CC0-1.0"),
    _photo("hubble_deep_field.jpg", "Hubble eXtreme Deep Field", "NASA",
           "Public domain (NASA)"),
    _photo("retina.jpg", "fundus photograph of a retina", "Mikael Häggström (Wikimedia)",
           "CC0-1.0"),
    _photo("coins.png", "Greek coins from Pompeii", "Brooklyn Museum",
           "No known copyright restrictions"),
]  # fmt: skip


def _shrunk(image: Image.Image) -> Image.Image:
    if max(image.size) <= LONGEST_SIDE:
        return image
    scale = LONGEST_SIDE / max(image.size)
    size = (round(image.width * scale), round(image.height * scale))
    return image.resize(size, Image.Resampling.LANCZOS)


def _save(image: Image.Image, path: Path, quality: int) -> None:
    buffer = io.BytesIO()
    if path.suffix == ".png":
        image.save(buffer, "PNG", optimize=True)
    else:
        image.convert("RGB" if image.mode != "L" else "L").save(
            buffer, "JPEG", quality=quality, optimize=True
        )
    path.write_bytes(buffer.getvalue())


def build(skimage_data: Path | None) -> None:
    for item in ITEMS:
        target = HERE / item.file
        if item.make is not None:
            _save(_shrunk(item.make()), target, item.quality)
        elif skimage_data is not None:
            with Image.open(skimage_data / item.source) as photo:
                _save(_shrunk(photo.convert("RGB")), target, item.quality)
        elif not target.exists():
            raise SystemExit(f"{item.file} is missing: pass --skimage-data")
    with MANIFEST.open("w", newline="") as manifest:
        writer = csv.writer(manifest)
        writer.writerow(["file", "label", "description", "source", "licence"])
        for item in ITEMS:
            if item.make is None:
                source = f"scikit-image 0.26.0 skimage/data/{item.source}, by {item.credit}"
            else:
                source = "bench/data/moderation/build_set.py"
            writer.writerow([item.file, item.label, item.description, source, item.licence])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skimage-data", type=Path, help="scikit-image's skimage/data folder")
    build(parser.parse_args().skimage_data)


if __name__ == "__main__":
    main()
