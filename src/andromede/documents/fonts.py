"""The fonts the invoice PDFs embed: DejaVu Sans (regular and bold) from the system,
subset once per process to the Windows-1252 characters (every letter of French and of
most western European names), with the widths the layout measures text by. PDF/A wants
every font embedded: a subset of about 30 KB each, compressed once and reused."""

import io
import logging
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

__all__ = ["ENCODING", "FONT_DIRS", "Font", "font", "fonts_available"]

ENCODING = "cp1252"  # /WinAnsiEncoding
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
TAGS = {"regular": "ANDRRA", "bold": "ANDRBA"}  # a subset's name carries six capitals
FIRST, LAST = 32, 255
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset" is fine


@dataclass(frozen=True)
class Font:
    name: str  # e.g. ANDRRA+DejaVuSans
    widths: tuple[int, ...]  # per code FIRST..LAST, in 1/1000 em
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    stem_v: int
    program: bytes  # the subset TrueType, deflated
    program_length: int

    def width(self, text: str, size: float) -> float:
        total = 0
        for byte in text.encode(ENCODING, errors="replace"):
            total += self.widths[byte - FIRST] if FIRST <= byte <= LAST else 0
        return total * size / 1000


def _path(style: str) -> Path | None:
    for folder in FONT_DIRS:
        candidate = folder / FILES[style]
        if candidate.exists():
            return candidate
    return None


def fonts_available() -> bool:
    return all(_path(style) is not None for style in FILES)


def _codes() -> list[tuple[int, str]]:
    codes = []
    for code in range(FIRST, LAST + 1):
        try:
            codes.append((code, bytes([code]).decode(ENCODING)))
        except UnicodeDecodeError:
            continue  # the five holes of Windows-1252
    return codes


@cache
def font(style: str) -> Font:
    path = _path(style)
    if path is None:
        raise FileNotFoundError(f"{FILES[style]} (package fonts-dejavu-core)")
    whole = TTFont(str(path))
    scale = 1000 / whole["head"].unitsPerEm
    cmap = whole.getBestCmap()
    metrics = whole["hmtx"].metrics
    codes = _codes()
    widths = [0] * (LAST - FIRST + 1)
    for code, char in codes:
        glyph = cmap.get(ord(char))
        if glyph is not None:
            widths[code - FIRST] = round(metrics[glyph][0] * scale)
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.layout_features = []
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(char) for _, char in codes])
    subsetter.subset(whole)
    out = io.BytesIO()
    whole.save(out)
    program = out.getvalue()
    head, hhea = whole["head"], whole["hhea"]
    return Font(
        name=f"{TAGS[style]}+{path.stem.replace('-', '')}",
        widths=tuple(widths),
        ascent=round(hhea.ascent * scale),
        descent=round(hhea.descent * scale),
        cap_height=round(getattr(whole["OS/2"], "sCapHeight", 0) * scale) or 729,
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        stem_v=80 if style == "regular" else 140,
        program=zlib.compress(program, 6),
        program_length=len(program),
    )
