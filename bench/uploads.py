"""Benchmark: the upload check (core.uploads.check_jpeg) on real JPEGs up to the 500 KB limit.

Not a test: it prints milliseconds per file (target ≤ 15 ms for a 500 KB JPEG). The files are
photo-like noise, the hardest case for the decoder, made once in memory.
"""

import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _jpeg_near(
    limit: int, *, width: int, height: int, progressive: bool = False, cmyk: bool = False
) -> bytes:
    from PIL import Image

    base = Image.effect_noise((width, height), 48).convert("RGB")
    base = Image.merge(
        "RGB",
        [
            base.getchannel(0),
            base.getchannel(0).rotate(90, expand=False),
            base.getchannel(0).transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        ],
    )
    image = base.convert("CMYK") if cmyk else base
    best = b""
    for quality in range(95, 10, -5):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, progressive=progressive)
        if buffer.tell() <= limit:
            best = buffer.getvalue()
            break
    return best


def run(repeat: int = 40) -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.uploads import check_jpeg

    cases = [
        ("baseline 1600×1200", _jpeg_near(500 * 1024, width=1600, height=1200)),
        ("baseline 2480×1754 (A4 scan, 150 dpi)", _jpeg_near(500 * 1024, width=2480, height=1754)),
        ("progressive 1600×1200", _jpeg_near(500 * 1024, width=1600, height=1200, progressive=True)),
        ("CMYK 1200×900", _jpeg_near(500 * 1024, width=1200, height=900, cmyk=True)),
    ]
    print(f"{'file':<40}{'KB':>7}{'median ms':>11}{'p95 ms':>9}")
    for label, data in cases:
        times = []
        for _ in range(repeat):
            upload = SimpleUploadedFile("scan.jpg", data, "image/jpeg")
            started = time.perf_counter()
            check_jpeg(upload)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(
            f"{label:<40}{len(data) / 1024:>7.0f}{statistics.median(times):>11.1f}{times[int(len(times) * 0.95)]:>9.1f}"
        )


if __name__ == "__main__":
    run()
