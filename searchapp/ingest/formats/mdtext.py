"""Markdown as the text a reader sees: markdown-it-py (CommonMark, tables) parses it, and its
tokens are walked for what a rendered page shows. Headings, paragraphs, list items, quotes and
table rows become lines; link and image markup, emphasis marks, heading hashes and table pipes
go; a link keeps its text (its URL is not a word of the document), an image its alt text, code
its content. Before, `**bold**`, `[text](https://…)` and `| a | b |` were indexed and shown as
typed."""

from __future__ import annotations

from typing import Any

_BLOCK_END = {"paragraph_close", "heading_close", "bullet_list_close", "ordered_list_close",
              "blockquote_close", "table_close", "hr", "fence", "code_block", "html_block"}


def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _inline(children: list[Any]) -> str:
    out: list[str] = []
    for t in children:
        if t.type in ("text", "code_inline"):
            out.append(t.content)
        elif t.type == "image":
            out.append(t.content or "")  # alt text
        elif t.type in ("softbreak",):
            out.append(" ")
        elif t.type == "hardbreak":
            out.append("\n")
    return "".join(out)


def markdown_text(source: str) -> tuple[str, str]:
    """(text, first heading's text) of a Markdown body (front matter already split off)."""
    tokens = _parser().parse(source)
    lines: list[str] = []
    row: list[str] = []
    heading = ""
    in_heading = False
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            in_heading = True
        elif tok.type == "inline":
            text = _inline(tok.children or []).strip()
            if tokens[i - 1].type in ("th_open", "td_open"):
                row.append(text)
                continue
            if in_heading and not heading:
                heading = text
            if text:
                lines.append(text)
        elif tok.type == "heading_close":
            in_heading = False
        elif tok.type == "tr_close":
            if any(row):
                lines.append("  ".join(c for c in row if c))
            row = []
        elif tok.type in ("fence", "code_block"):
            lines.append(tok.content.rstrip("\n"))
        elif tok.type == "html_block":  # its text, not its tags
            from selectolax.lexbor import LexborHTMLParser

            lines.append((LexborHTMLParser(tok.content).text(separator=" ") or "").strip())
        if tok.type in _BLOCK_END and not tok.hidden:  # a tight list's items: one line each
            if lines and lines[-1] != "":
                lines.append("")
    return "\n".join(lines).strip(), heading
