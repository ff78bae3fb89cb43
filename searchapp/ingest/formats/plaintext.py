"""Plain text and Markdown files: decoded by encoding.decode_text; Markdown's front matter read
and its markup rendered away (mdtext.py)."""

from __future__ import annotations

from searchapp.ingest.extracted import Extracted, Limits, SkipFile
from searchapp.ingest.formats._common import check_size, guarded, heading_title, tidy
from searchapp.ingest.formats.encoding import decode_text
from searchapp.ingest.formats.frontmatter import split_front_matter
from searchapp.ingest.formats.mdtext import markdown_text

SUFFIXES = {".txt", ".text", ".md", ".markdown"}


@guarded("text file")
def extract(data: bytes, name: str, limits: Limits) -> list[Extracted]:
    check_size(data, limits)
    text = decode_text(data)
    is_md = name.lower().endswith((".md", ".markdown"))
    meta, body = split_front_matter(text)
    title = meta.get("title", "")
    if is_md:  # the text a reader of the rendered page sees (mdtext.py)
        body, heading = markdown_text(body)
        title = title or heading
    body = tidy(body, limits)
    if not body:
        raise SkipFile("empty file (no text)")
    if not title and not is_md:
        title = heading_title(body)
    return [
        Extracted(
            body=body,
            title=title,
            date=meta.get("date"),
            lang=meta.get("lang", ""),
            author=meta.get("author", ""),
            format="md" if is_md else "txt",
            url=meta.get("url", ""),
            tags=meta.get("tags", ()),
        )
    ]
