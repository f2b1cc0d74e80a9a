"""Draw ``resources/seal.png``: the neutral placeholder seal of the shipped letterheads.

It names no court and carries no court's motto (an earlier one carried "Equal Justice Under Law",
the words over the US Supreme Court's door): it says what it is, a placeholder, and that the
court's own seal replaces it (Office > Court profile…, or ``office profile seal FILE.png``).

Run ``.venv/bin/python resources/make_seal.py`` (needs Pillow, which is a build-time tool
here only; the app never imports it). The seal is drawn at four times its size and scaled
down for smooth edges, then reduced to a small palette so the PNG stays a few kilobytes.
Same Pillow and fonts in, same bytes out.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = 300                      # final pixels, square
SCALE = 4                       # drawn at 4x, then downsampled
NAVY = (27, 42, 74)
WHITE = (255, 255, 255)
TOP_TEXT = "PLACEHOLDER SEAL"
BOTTOM_TEXT = "REPLACE WITH YOUR OWN"
OUT = Path(__file__).with_name("seal.png")

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "/Library/Fonts/Times New Roman Bold.ttf",
    "C:/Windows/Fonts/timesbd.ttf",
)


def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, px)
    return ImageFont.load_default(px)


def _arc_text(img: Image.Image, text: str, radius: float, font: ImageFont.ImageFont,
              top: bool, spacing: float) -> None:
    """Set ``text`` centred on the top (reading clockwise) or bottom (upright) of a circle."""
    cx = cy = img.width / 2
    widths = [font.getlength(ch) + spacing for ch in text]
    total = sum(widths) / radius                       # radians the text spans
    angle = -math.pi / 2 - total / 2 if top else math.pi / 2 + total / 2
    box = int(font.size * 2)
    for ch, width in zip(text, widths, strict=True):
        step = width / radius
        mid = angle + step / 2 if top else angle - step / 2
        if ch != " ":
            glyph = Image.new("L", (box, box), 0)
            ImageDraw.Draw(glyph).text((box / 2, box / 2), ch, font=font, fill=255, anchor="mm")
            turn = math.degrees(mid) + 90 if top else math.degrees(mid) - 90
            glyph = glyph.rotate(-turn, resample=Image.Resampling.BICUBIC)
            x = cx + radius * math.cos(mid) - box / 2
            y = cy + radius * math.sin(mid) - box / 2
            img.paste(Image.new("RGB", (box, box), NAVY), (round(x), round(y)), glyph)
        angle = angle + step if top else angle - step


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = r if i % 2 == 0 else r * 0.4
        points.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    draw.polygon(points, fill=NAVY)


def _ring(draw: ImageDraw.ImageDraw, c: float, r: float, width: float) -> None:
    draw.ellipse((c - r, c - r, c + r, c + r), outline=NAVY, width=max(1, round(width)))


def _scales(draw: ImageDraw.ImageDraw, c: float, u: float) -> None:
    """A balanced pair of scales on a column, ``u`` being one unit of the emblem."""
    line = max(1, round(0.09 * u))
    top = c - 3.3 * u
    # column, finial and base
    draw.rectangle((c - 0.14 * u, top + 0.35 * u, c + 0.14 * u, c + 2.55 * u), fill=NAVY)
    draw.ellipse((c - 0.32 * u, top - 0.1 * u, c + 0.32 * u, top + 0.54 * u), fill=NAVY)
    draw.polygon([(c - 1.2 * u, c + 3.0 * u), (c + 1.2 * u, c + 3.0 * u),
                  (c + 0.55 * u, c + 2.45 * u), (c - 0.55 * u, c + 2.45 * u)], fill=NAVY)
    draw.rectangle((c - 1.5 * u, c + 3.0 * u, c + 1.5 * u, c + 3.25 * u), fill=NAVY)
    # beam
    beam_y = top + 0.9 * u
    draw.rectangle((c - 2.7 * u, beam_y - 0.1 * u, c + 2.7 * u, beam_y + 0.1 * u), fill=NAVY)
    for side in (-1, 1):
        px = c + side * 2.45 * u
        pan_y = beam_y + 2.4 * u
        # cords
        draw.line([(px, beam_y), (px - 1.0 * u, pan_y)], fill=NAVY, width=line)
        draw.line([(px, beam_y), (px + 1.0 * u, pan_y)], fill=NAVY, width=line)
        # pan: a shallow bowl
        draw.chord((px - 1.15 * u, pan_y - 0.75 * u, px + 1.15 * u, pan_y + 0.75 * u),
                   0, 180, fill=NAVY)
        draw.ellipse((px - 0.12 * u, beam_y - 0.12 * u, px + 0.12 * u, beam_y + 0.12 * u),
                     fill=NAVY)


def draw_seal() -> Image.Image:
    big = SIZE * SCALE
    c = big / 2
    img = Image.new("RGB", (big, big), WHITE)
    draw = ImageDraw.Draw(img)
    _ring(draw, c, 0.485 * big, 0.018 * big)        # outer rim
    _ring(draw, c, 0.455 * big, 0.005 * big)        # fine line inside the rim
    _ring(draw, c, 0.335 * big, 0.005 * big)        # inner band edge
    _ring(draw, c, 0.318 * big, 0.012 * big)        # inner rim
    font = _font(round(0.072 * big))
    band = 0.395 * big
    _arc_text(img, TOP_TEXT, band, font, top=True, spacing=0.012 * big)
    _arc_text(img, BOTTOM_TEXT, band, _font(round(0.056 * big)), top=False,
              spacing=0.006 * big)
    for side in (-1, 1):
        _star(draw, c + side * band, c, 0.026 * big)
    _scales(draw, c, 0.07 * big)
    return img


def main() -> None:
    img = draw_seal().resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    img = img.quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    img.save(OUT, format="PNG", optimize=True, dpi=(300, 300))
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
