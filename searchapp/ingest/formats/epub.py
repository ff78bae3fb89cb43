"""EPUB: chapters in spine (reading) order, metadata from the OPF package document.

Read with zipfile + ElementTree for the container and OPF, and webpage's HTML text extraction
(selectolax visible text, not trafilatura: a chapter has no navigation to remove) per chapter.
Each spine item is a page, so hits can point at a chapter.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from urllib.parse import unquote

from selectolax.lexbor import LexborHTMLParser

from searchapp.ingest.extracted import Extracted, Limits, SkipFile
from searchapp.ingest.formats._common import (
    Deadline,
    as_date,
    check_size,
    guarded,
    lang_code,
    one_line,
    open_zip,
    read_member,
    tidy,
)
from searchapp.ingest.formats.html import check_nesting
from searchapp.ingest.formats.webpage import decode_html

SUFFIXES = {".epub"}
NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_ENCRYPTED_OK = "http://www.idpf.org/2008/embedding"  # font obfuscation only, text is readable


def _chapter_text(data: bytes) -> str:
    html = decode_html(data)  # the encoding its XML declaration or <meta> states
    check_nesting(html)  # every chapter, as every HTML page
    tree = LexborHTMLParser(html)
    body = tree.body or tree.root
    if body is None:
        return ""
    for node in body.css("script, style, noscript, nav"):
        node.decompose()
    return body.text(separator="\n", strip=True)


@guarded("EPUB")
def extract(data: bytes, name: str, limits: Limits) -> list[Extracted]:
    check_size(data, limits)
    zf = open_zip(data, limits, "EPUB")
    deadline = Deadline(limits)
    with zf:
        names = set(zf.namelist())
        if "META-INF/encryption.xml" in names:
            enc = read_member(zf, "META-INF/encryption.xml", limits).decode("utf-8", "replace")
            if "EncryptedData" in enc and _ENCRYPTED_OK not in enc:
                raise SkipFile("DRM-protected EPUB (encrypted chapters)")
        try:
            container = ET.fromstring(read_member(zf, "META-INF/container.xml", limits))
            rootfile = container.find(".//c:rootfile", NS)
            if rootfile is None:
                raise SkipFile("corrupt EPUB (no rootfile in container.xml)")
            opf_path = rootfile.get("full-path", "")
            opf = ET.fromstring(read_member(zf, opf_path, limits))
        except KeyError as exc:
            raise SkipFile(f"corrupt EPUB (missing {exc})") from None
        except ET.ParseError as exc:
            raise SkipFile(f"corrupt EPUB (bad XML: {exc})") from None
        base = posixpath.dirname(opf_path)

        def dc(tag: str) -> str:
            node = opf.find(f"opf:metadata/dc:{tag}", NS)
            return one_line(node.text) if node is not None and node.text else ""

        manifest = {
            item.get("id"): item
            for item in opf.findall("opf:manifest/opf:item", NS)
        }
        chapters: list[str] = []
        for itemref in opf.findall("opf:spine/opf:itemref", NS)[: limits.max_pages]:
            deadline.check()
            item = manifest.get(itemref.get("idref"))
            if item is None or "html" not in (item.get("media-type") or ""):
                continue
            path = posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
            if path not in names:
                continue
            text = tidy(_chapter_text(read_member(zf, path, limits)))
            if text:
                chapters.append(text)
    pages, offset = [], 0
    for text in chapters:
        pages.append(offset)
        offset += len(text) + 2
    body = "\n\n".join(chapters)[: limits.max_chars]
    if not body:
        raise SkipFile("no text in EPUB")
    return [
        Extracted(
            body=body, title=dc("title"), date=as_date(dc("date")), lang=lang_code(dc("language")),
            author=dc("creator"), format="epub", pages=tuple(p for p in pages if p <= len(body)),
        )
    ]
