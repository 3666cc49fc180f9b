"""Reject a smoke-test screenshot that is blank, black or the wrong size.

    python packaging/check_screenshot.py OUT.png [--size 1280x800]

``townsfolk --smoke-test`` already exits non-zero when the *map* is blank (app.shell.smoke.blank_reason);
this checks the PNG it wrote, so a broken save or an all-black window grab cannot pass CI either.
It applies the app's own test to the whole picture when app.shell.smoke can be imported (it needs PySide6,
not a display), plus stricter whole-window checks of its own with Pillow. Exit 0 = looks drawn.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

MIN_COLOURS = 32  # a drawn window (map tiles, sprites, docks, text) has hundreds
MAX_DARK_SHARE = 0.6  # the window is light-themed around a dark map border; a failed GL grab is all black


def own_reason(path: Path, size: tuple[int, int] | None) -> str | None:
    try:
        with Image.open(path) as image:
            image.load()
            pixels = np.asarray(image.convert("RGB"), dtype=np.uint8)
    except OSError as exc:
        return f"not a readable image ({exc})"
    height, width = pixels.shape[:2]
    # HiDPI screens double the size; Xvfb and offscreen do not
    if size and (width, height) not in (size, (size[0] * 2, size[1] * 2)):
        return f"{width}x{height}, expected {size[0]}x{size[1]}"
    flat = pixels.reshape(-1, 3)
    if flat.max() < 8:
        return "all black"
    colours = len(np.unique(flat[:: max(1, len(flat) // 200_000)], axis=0))
    if colours < MIN_COLOURS:
        return f"only {colours} colours: nothing was drawn"
    dark = float((flat.max(axis=1) < 16).mean())
    if dark > MAX_DARK_SHARE:
        return f"{dark:.0%} of the window is black"
    return None


def app_reason(path: Path) -> str | None:
    """app.shell.smoke.blank_reason on the PNG, or None when the app's check cannot be imported here."""
    try:
        from PySide6.QtGui import QImage

        from app.shell.smoke import blank_reason
    except ImportError:
        return None
    return blank_reason(QImage(str(path)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Reject a blank smoke-test screenshot.")
    parser.add_argument("png", type=Path)
    parser.add_argument("--size", help="expected WIDTHxHEIGHT (the smoke test's --size)")
    args = parser.parse_args(argv)
    size = tuple(int(v) for v in args.size.split("x")) if args.size else None
    if not args.png.is_file():
        print(f"check_screenshot: {args.png} does not exist", file=sys.stderr)
        return 1
    reason = own_reason(args.png, size) or app_reason(args.png)  # type: ignore[arg-type]
    if reason:
        print(f"check_screenshot: {args.png}: {reason}", file=sys.stderr)
        return 1
    print(f"check_screenshot: {args.png} looks drawn")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # app.shell.smoke from the checkout
    sys.exit(main())
