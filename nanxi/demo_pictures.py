"""Small illustrations for the demo, drawn with Pillow when the demo loads.

No picture is committed to the repository: each is drawn from a seed, so the same
demo draws the same pictures. A scene is a Shanghai lane (弄堂) of brick houses with
stone-framed doors, and in front of it what the project was about: flowers, people
meeting, bicycles, cats, books, a banner in Chinese.
"""

import functools
import io
import random

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

SIZE = (720, 480)  # the drawing's coordinates …
OUTPUT = (480, 320)  # … scaled to the stored size: small files, quick to make
SKIES = [(196, 222, 240), (214, 230, 238), (238, 226, 208), (206, 226, 226)]
WALLS = [(176, 84, 64), (160, 96, 78), (196, 180, 160), (212, 200, 184), (150, 70, 60)]
CLOTHES = [
    (200, 60, 60),
    (60, 110, 170),
    (240, 190, 70),
    (90, 150, 90),
    (120, 90, 150),
    (230, 130, 90),
    (80, 80, 90),
    (240, 240, 235),
]
MOTIFS = ("flowers", "people", "bicycles", "cats", "books", "lights", "bins")


@functools.cache
def _font(size: int):
    try:
        return ImageFont.truetype(settings.PDF_FONT_PATH, size, index=0)
    except OSError:
        return ImageFont.load_default()


def picture(seed: int, motif: str, banner: str = "", *, name: str = "photo"):
    """A JPEG upload of a lane scene with `motif` in front (see MOTIFS)."""
    rng = random.Random(seed)  # noqa: S311 (a drawing, seeded on purpose)
    width, height = SIZE
    image = Image.new("RGB", OUTPUT, rng.choice(SKIES))
    draw = _Scaled(ImageDraw.Draw(image), OUTPUT[0] / SIZE[0])
    ground = int(height * 0.72)
    _sky(draw, rng, width, ground)
    _houses(draw, rng, width, ground)
    draw.rectangle((0, ground, width, height), fill=(178, 172, 162))
    for x in range(-40, width, 56):  # paving stones
        draw.line((x, height, x + 40, ground), fill=(160, 154, 146), width=2)
    if banner:
        _banner(draw, banner, width, ground)
    globals()[f"_{motif}"](draw, rng, width, height, ground)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile(f"{name}.jpg", buffer.getvalue(), "image/jpeg")


def _sky(draw, rng, width, ground) -> None:
    sun = rng.randrange(80, width - 80)
    draw.ellipse((sun - 26, 30, sun + 26, 82), fill=(250, 240, 200))
    for _ in range(3):
        x, y = rng.randrange(0, width), rng.randrange(20, 110)
        for dx, dy, r in ((0, 0, 22), (24, 6, 18), (-22, 8, 16), (10, -10, 18)):
            draw.ellipse((x + dx - r, y + dy - r, x + dx + r, y + dy + r), fill="white")


def _houses(draw, rng, width, ground) -> None:
    """A row of two-storey lane houses: brick, grey tiles, a stone-framed door."""
    x = -rng.randrange(0, 60)
    while x < width:
        w = rng.randrange(150, 210)
        top = ground - rng.randrange(190, 250)
        wall = rng.choice(WALLS)
        draw.rectangle((x, top, x + w, ground), fill=wall)
        for y in range(top + 10, ground, 14):  # brick courses
            draw.line((x, y, x + w, y), fill=tuple(c - 14 for c in wall), width=1)
        draw.polygon(
            [(x - 8, top), (x + w // 2, top - 46), (x + w + 8, top)], fill=(88, 88, 96)
        )
        door = x + w // 2
        draw.rectangle(
            (door - 30, ground - 92, door + 30, ground), fill=(222, 214, 196)
        )
        draw.rectangle((door - 22, ground - 80, door + 22, ground), fill=(70, 40, 32))
        draw.arc(
            (door - 34, ground - 118, door + 34, ground - 70),
            180,
            360,
            fill=(222, 214, 196),
            width=8,
        )
        for wx in (x + 18, x + w - 52):
            for wy in (top + 22, top + 96):
                if wy + 50 < ground - 100 or wx < door - 60 or wx > door + 30:
                    _window(draw, rng, wx, wy)
        x += w + rng.randrange(6, 20)


def _window(draw, rng, x, y) -> None:
    draw.rectangle((x, y, x + 34, y + 48), fill=(245, 240, 228))
    draw.rectangle(
        (x + 4, y + 4, x + 30, y + 44),
        fill=rng.choice([(120, 160, 180), (150, 180, 190), (90, 120, 140)]),
    )
    draw.line((x + 17, y + 4, x + 17, y + 44), fill=(245, 240, 228), width=2)
    if rng.random() < 0.4:  # a pot of flowers on the sill
        draw.rectangle((x + 6, y + 48, x + 28, y + 56), fill=(150, 90, 60))
        draw.ellipse((x + 4, y + 36, x + 30, y + 52), fill=(90, 150, 80))


def _banner(draw, text, width, ground) -> None:
    font = _font(round(30 * draw.scale))
    box = [v / draw.scale for v in draw.draw.textbbox((0, 0), text, font=font)]
    w, h = box[2] - box[0] + 48, box[3] - box[1] + 24
    left, top = (width - w) // 2, ground - 196
    draw.rectangle((left, top, left + w, top + h), fill=(190, 30, 36))
    draw.text((left + 24, top + 10 - box[1]), text, font=font, fill=(255, 236, 170))


class _Scaled:
    """An ImageDraw whose coordinates, widths and radii are in SIZE's units."""

    def __init__(self, draw, scale: float):
        self.draw, self.scale = draw, scale

    def _xy(self, xy):
        if isinstance(xy[0], tuple | list):
            return [(x * self.scale, y * self.scale) for x, y in xy]
        return [v * self.scale for v in xy]

    def __getattr__(self, name):
        method = getattr(self.draw, name)

        def scaled(xy, *args, **kwargs):
            for key in ("width", "radius"):
                if key in kwargs:
                    kwargs[key] = max(1, round(kwargs[key] * self.scale))
            return method(self._xy(xy), *args, **kwargs)

        return scaled


def _person(draw, rng, x, ground, scale=1.0) -> None:
    body = rng.choice(CLOTHES)
    h = int(rng.randrange(96, 126) * scale)
    head = int(14 * scale)
    top = ground - h
    draw.rounded_rectangle(
        (x - 17 * scale, top + 2 * head, x + 17 * scale, ground - 40 * scale),
        radius=10,
        fill=body,
    )
    draw.rectangle(
        (x - 12 * scale, ground - 42 * scale, x - 2 * scale, ground), fill=(60, 60, 70)
    )
    draw.rectangle(
        (x + 2 * scale, ground - 42 * scale, x + 12 * scale, ground), fill=(60, 60, 70)
    )
    draw.ellipse((x - head, top, x + head, top + 2 * head), fill=(240, 204, 170))
    hair = rng.choice([(40, 36, 36), (120, 120, 120), (210, 210, 210)])
    draw.chord((x - head, top - 2, x + head, top + 2 * head - 6), 180, 360, fill=hair)


def _people(draw, rng, width, height, ground) -> None:
    draw.rectangle(
        (width // 2 - 150, ground + 30, width // 2 + 150, ground + 46),
        fill=(150, 100, 60),
    )
    for i in range(rng.randrange(5, 8)):
        _person(
            draw, rng, 90 + i * (width - 160) // 7 + rng.randrange(-10, 10), height - 20
        )


def _flowers(draw, rng, width, height, ground) -> None:
    for i in range(9):
        x = 20 + i * width // 9
        y = ground + rng.randrange(20, 70)
        draw.rectangle((x, y + 30, x + 62, y + 70), fill=(140, 96, 64))
        draw.ellipse((x - 10, y - 20, x + 72, y + 44), fill=(70, 130, 70))
        for _ in range(7):
            fx, fy = x + rng.randrange(0, 60), y + rng.randrange(-14, 30)
            colour = rng.choice(
                [(220, 60, 90), (240, 120, 150), (250, 200, 210), (200, 40, 60)]
            )
            draw.ellipse((fx - 7, fy - 7, fx + 7, fy + 7), fill=colour)
    _person(draw, rng, width - 120, height - 10)


def _bicycles(draw, rng, width, height, ground) -> None:
    draw.polygon(
        [
            (30, ground - 40),
            (width - 30, ground - 40),
            (width - 10, ground - 20),
            (10, ground - 20),
        ],
        fill=(90, 120, 150),
    )
    for i in range(5):
        x, y = 60 + i * 130, height - 40
        colour = rng.choice(CLOTHES[:6])
        for wx in (x, x + 62):
            draw.ellipse(
                (wx - 24, y - 24, wx + 24, y + 24), outline=(40, 40, 40), width=4
            )
        draw.line(
            (x, y, x + 28, y - 34, x + 62, y, x + 28, y, x, y), fill=colour, width=4
        )
        draw.line((x + 28, y - 34, x + 22, y - 46), fill=colour, width=4)
        draw.line((x + 52, y - 40, x + 62, y), fill=colour, width=4)


def _cats(draw, rng, width, height, ground) -> None:
    draw.rounded_rectangle(
        (width - 220, ground + 10, width - 60, ground + 80),
        radius=8,
        fill=(200, 170, 120),
    )
    for i in range(4):
        x, y = 80 + i * 140 + rng.randrange(-20, 20), height - 50
        fur = rng.choice(
            [(240, 160, 70), (60, 60, 60), (230, 230, 225), (150, 120, 90)]
        )
        draw.ellipse((x - 40, y - 30, x + 40, y + 30), fill=fur)
        draw.ellipse((x + 20, y - 58, x + 64, y - 14), fill=fur)
        draw.polygon([(x + 24, y - 48), (x + 30, y - 70), (x + 40, y - 54)], fill=fur)
        draw.polygon([(x + 46, y - 54), (x + 56, y - 70), (x + 62, y - 46)], fill=fur)
        draw.line((x - 40, y, x - 70, y - 30), fill=fur, width=8)
        draw.ellipse((x + 32, y - 42, x + 38, y - 36), fill=(30, 30, 30))
        draw.ellipse((x + 48, y - 42, x + 54, y - 36), fill=(30, 30, 30))


def _books(draw, rng, width, height, ground) -> None:
    left = width // 2 - 200
    draw.rectangle((left, ground - 150, left + 400, height - 20), fill=(130, 90, 60))
    for shelf in range(3):
        y = ground - 140 + shelf * 78
        x = left + 10
        while x < left + 380:
            w = rng.randrange(12, 24)
            colour = rng.choice(
                [
                    (180, 50, 50),
                    (50, 90, 150),
                    (220, 180, 80),
                    (70, 130, 90),
                    (240, 236, 220),
                ]
            )
            draw.rectangle((x, y + rng.randrange(0, 14), x + w, y + 66), fill=colour)
            x += w + 2
    _person(draw, rng, left - 60, height - 10)
    _person(draw, rng, left + 460, height - 10)


def _lights(draw, rng, width, height, ground) -> None:
    for i in range(3):
        x = 120 + i * 240
        draw.rectangle((x - 4, ground - 170, x + 4, height - 30), fill=(70, 70, 80))
        draw.polygon(
            [
                (x - 26, ground - 170),
                (x + 26, ground - 170),
                (x + 16, ground - 150),
                (x - 16, ground - 150),
            ],
            fill=(60, 60, 70),
        )
        draw.ellipse((x - 40, ground - 160, x + 40, ground - 100), fill=(255, 236, 160))
    _person(draw, rng, width // 2 + 120, height - 10)


def _bins(draw, rng, width, height, ground) -> None:
    colours = [(60, 60, 60), (200, 50, 50), (60, 120, 190), (140, 100, 70)]
    for i, colour in enumerate(colours):
        x = 140 + i * 120
        draw.rounded_rectangle(
            (x, ground - 10, x + 90, height - 30), radius=6, fill=colour
        )
        draw.rectangle(
            (x - 6, ground - 22, x + 96, ground - 8), fill=tuple(c - 30 for c in colour)
        )
    _person(draw, rng, 70, height - 10)
    _person(draw, rng, width - 70, height - 10)
