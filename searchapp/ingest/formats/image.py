"""Image files (.png, .jpg, .tif) through tesseract OCR; only when SEARCHAPP_OCR=1."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from searchapp.ingest.extracted import Extracted, Limits, SkipFile
from searchapp.ingest.formats._common import check_size, heading_title, tidy

SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}


def extract(data: bytes, name: str, limits: Limits) -> list[Extracted]:
    check_size(data, limits)
    if not limits.ocr:
        raise SkipFile("image file (OCR is off: set SEARCHAPP_OCR=1)")
    if shutil.which("tesseract") is None:
        raise SkipFile("image file and tesseract is not installed (no OCR)")
    suffix = Path(name).suffix.lower() or ".png"
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / f"image{suffix}"
        image.write_bytes(data)
        try:
            done = subprocess.run(
                ["tesseract", str(image), "stdout", "-l", limits.ocr_langs],
                capture_output=True, timeout=max(1.0, limits.max_seconds), check=False,
            )
        except subprocess.TimeoutExpired:
            raise SkipFile(f"OCR took longer than {limits.max_seconds:g} s") from None
        except OSError as exc:
            raise SkipFile(f"OCR failed ({exc})") from None
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SkipFile(f"OCR failed ({err[-1] if err else 'tesseract exit ' + str(done.returncode)})"[:300])
    body = tidy(done.stdout.decode("utf-8", "replace"), limits)
    if not body:
        raise SkipFile("no text found in the image (OCR)")
    return [Extracted(body=body, title=heading_title(body), format="image")]
