"""Markdown/text front matter: YAML between '---' lines or TOML between '+++' lines.

Front matter is metadata: at most MAX_FRONT_MATTER bytes are parsed, and YAML aliases are
refused (nine lists of nine aliases each, `title: *l7`, take 3.8 GB to turn into a title:
"billion laughs"). Refused front matter is left out of the text, its metadata unused."""

from __future__ import annotations

import datetime
import re
import tomllib
from typing import Any

import yaml

from searchapp.ingest.formats._common import as_date, lang_code, one_line

MAX_FRONT_MATTER = 64 * 1024  # characters; a longer block is not front matter


class AliasRefused(yaml.YAMLError):
    """The front matter uses a YAML alias (or anchor)."""


class _NoAliases(yaml.SafeLoader):
    """yaml.SafeLoader without aliases: a document whose values repeat each other is refused."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise AliasRefused("YAML aliases are not read in front matter")
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise AliasRefused("YAML anchors are not read in front matter")
        return super().compose_node(parent, index)


_YAML = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)
_TOML = re.compile(r"\A\+\+\+[ \t]*\n(.*?\n)\+\+\+[ \t]*(?:\n|\Z)", re.DOTALL)


def _parse(text: str) -> tuple[dict[str, Any], str]:
    for pattern, loader in ((_YAML, "yaml"), (_TOML, "toml")):
        m = pattern.match(text, 0, MAX_FRONT_MATTER + 16)
        if not m:
            continue
        try:
            if loader == "yaml":
                meta = yaml.load(m[1], Loader=_NoAliases)  # noqa: S506 - a SafeLoader
            else:
                meta = tomllib.loads(m[1])
        except AliasRefused:
            return {}, text[m.end():]  # metadata that could not be read safely: left out
        except (yaml.YAMLError, tomllib.TOMLDecodeError):
            return {}, text  # not front matter after all: keep the text whole
        if not isinstance(meta, dict):
            return {}, text
        return meta, text[m.end():]
    return {}, text


def _tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,;]", value)]
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(t for t in (one_line(str(v)) for v in value) if t)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(metadata dict with title/date/lang/tags/author when present, body without front matter)."""
    text = text.lstrip("\ufeff")
    meta, body = _parse(text)
    if not meta:
        return {}, body
    low = {str(k).lower(): v for k, v in meta.items()}
    out: dict[str, Any] = {}
    if low.get("title"):
        out["title"] = one_line(str(low["title"]))
    for key in ("date", "published", "created"):
        value = low.get(key)
        if isinstance(value, (datetime.date, str)):
            d = as_date(value)
            if d:
                out["date"] = d
                break
    for key in ("lang", "language", "locale"):
        if isinstance(low.get(key), str) and lang_code(low[key]):
            out["lang"] = lang_code(low[key])
            break
    tags = _tags(low.get("tags")) + _tags(low.get("categories")) + _tags(low.get("keywords"))
    if tags:
        out["tags"] = tuple(dict.fromkeys(tags))
    author = low.get("author") or low.get("authors")
    if isinstance(author, list):
        author = ", ".join(str(a) for a in author)
    if author:
        out["author"] = one_line(str(author))
    if isinstance(low.get("url"), str):
        out["url"] = low["url"].strip()
    return out, body
