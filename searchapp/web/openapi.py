"""The OpenAPI 3.1 description of the JSON API, written by hand."""

from __future__ import annotations

from typing import Any

from ..search.parse import MAX_QUERY_CHARS
from ..search.request import MAX_PAGE_SIZE


def _param(name: str, schema: dict[str, Any], text: str, many: bool = False) -> dict[str, Any]:
    if many:
        schema = {"type": "array", "items": schema}
    out = {"name": name, "in": "query", "required": False, "schema": schema, "description": text}
    if many:
        out |= {"style": "form", "explode": True}
    return out


_FORMAT = {
    "type": ["string", "null"],
    "description": "Format of the original file: pdf, docx, odt, rtf, pptx, xlsx, ods, odp, epub, "
    "eml, mbox, html, txt, md, json, image (null in an index built before formats were stored).",
}
_PAGE = {
    "type": ["integer", "null"], "minimum": 1,
    "description": "1-based page of the best match (the snippet's window; for /api/doc the "
    "query's best match) in a paged format (pdf, pptx slides); null otherwise.",
}

_DUPLICATES = {
    "type": "array", "items": {"type": "string"},
    "description": "Ids of the other copies of the same text (near-duplicates found at build "
    "time: the same article as HTML, PDF, DOCX, or on several sites); a result list shows one.",
}

_HIT = {
    "type": "object",
    "required": ["id", "title", "lang", "date", "source", "snippet_html", "score", "format",
                 "page"],
    "properties": {
        "id": {"type": "string", "description": "Document id (relative path, may hold /)."},
        "title": {"type": "string"},
        "lang": {"type": "string", "description": "ISO 639-1 code; und: undetermined (a short "
                 "text), zxx: no linguistic content."},
        "date": {"type": ["string", "null"], "format": "date"},
        "source": {"type": "string"},
        "snippet_html": {
            "type": "string",
            "description": "Escaped HTML; matches wrapped in <mark>.",
        },
        "score": {"type": "number", "description": "Relevance score; 0 when sorted by date."},
        "link": {"type": "string", "description": "URL of the document's page (/doc/<id>, or "
                 "/doc?id=<id> for an id that would not survive as a path); /api/doc?id=<id> "
                 "returns any document as JSON."},
        "format": _FORMAT,
        "page": _PAGE,
        "url": {"type": ["string", "null"], "description": "The address of a page fetched from "
                "a web source (searchapp source add), or the document's own canonical URL."},
        "duplicates": _DUPLICATES,
        "match": {"type": "string", "enum": ["words", "meaning", "both"],
                  "description": "How the hit was found: by its words, by meaning only (e.g. "
                  "in another language; snippet = its best passage), or both."},
    },
}

_FACET = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["value", "count"],
        "properties": {"value": {"type": "string"}, "count": {"type": "integer"}},
    },
}

_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
}

_TOO_MANY = {
    "description": "Over the search rate limit ($SEARCHAPP_RATELIMIT per client address)",
    "headers": {"Retry-After": {"schema": {"type": "integer"},
                                "description": "Seconds until the next request is allowed."}},
    "content": {"application/json": {"schema": _ERROR}},
}


def spec() -> dict[str, Any]:
    """The API description."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "searchapp", "version": "1", "description": "Multilingual search."},
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search the documents",
                    "operationId": "search",
                    "parameters": [
                        _param("q", {"type": "string"}, "Query text (words, \"phrases\", -word, "
                               "a OR b, title:word, lang:vi, date:2024); longer than "
                               f"{MAX_QUERY_CHARS} characters it is cut, with a warning."),
                        _param("lang", {"type": "string"}, "Language filter.", many=True),
                        _param("source", {"type": "string"}, "Source filter.", many=True),
                        _param("year", {"type": "integer"}, "Year filter (a value that is not a year is "
                               "ignored, with a warning).", many=True),
                        _param("format", {"type": "string"},
                               "File type filter (when the index stores one).", many=True),
                        _param("from", {"type": "string"}, "Dates from: 2024, 2024-05 or "
                               "2024-05-17 (its first day); anything else is ignored, with "
                               "a warning (as for to and sort)."),
                        _param("to", {"type": "string"}, "Dates up to: 2024, 2024-05 or "
                               "2024-05-17 (its last day). A range given the wrong way round "
                               "(from after to) is turned round, with a warning."),
                        _param("sort", {"type": "string",
                                        "enum": ["relevance", "date", "date_asc"],
                                        "default": "relevance"},
                               "Order of hits: date is newest first, date_asc oldest first. "
                               "No words (q empty or *) lists every document, newest first."),
                        _param("verbatim", {"type": "integer", "enum": [0, 1], "default": 0},
                               "1: search exactly q, even when it finds nothing and a "
                               "correction would."),
                        _param("semantic", {"type": "integer", "enum": [0, 1]},
                               "1: keyword results fused with results by meaning (when the "
                               "index has vectors); 0: keywords only; absent: the server's "
                               "default (SEARCHAPP_SEMANTIC_DEFAULT). semantic=1 on an index "
                               "without vectors gives keyword results and a warning."),
                        _param("page", {"type": "integer", "minimum": 1, "default": 1},
                               "1-based page number (clamped). A page ending past the 500th "
                               "result also counts against the document rate limit "
                               "(SEARCHAPP_DOC_RATELIMIT)."),
                        _param("page_size", {"type": "integer", "minimum": 1,
                                             "maximum": MAX_PAGE_SIZE, "default": 10},
                               "Hits per page (clamped)."),
                    ],
                    "responses": {
                        "200": {
                            "description": "One page of hits",
                            "content": {"application/json": {"schema": {
                                "type": "object",
                                "required": ["total", "elapsed_ms", "hits", "facets",
                                             "warnings", "suggestion"],
                                "properties": {
                                    "total": {"type": "integer"},
                                    "elapsed_ms": {"type": "number"},
                                    "hits": {"type": "array", "items": _HIT},
                                    "facets": {"type": "object", "properties": {
                                        "lang": _FACET, "source": _FACET, "year": _FACET,
                                        "format": _FACET}},
                                    "warnings": {"type": "array", "items": {"type": "string"}},
                                    "suggestion": {"type": ["string", "null"]},
                                    "query": {"type": "string", "description":
                                              "q as it was searched (after cutting)."},
                                    "searched": {"type": "string", "description":
                                                 "The query whose hits these are: suggestion "
                                                 "when corrected, else query."},
                                    "corrected": {"type": "boolean", "description":
                                                  "q found nothing: the hits are those of "
                                                  "suggestion."},
                                    "cached": {"type": "boolean", "description":
                                               "Answered from the result cache."},
                                },
                            }}},
                        },
                        "429": _TOO_MANY,
                        "503": {"description": "No index built yet",
                                "content": {"application/json": {"schema": _ERROR}}},
                    },
                }
            },
            "/api/doc": {
                "get": {
                    "summary": "One document by an id given as a query parameter (any id)",
                    "operationId": "documentByQuery",
                    "parameters": [
                        _param("id", {"type": "string"}, "Document id."),
                        _param("q", {"type": "string"}, "Query whose matches are marked."),
                        _param("part", {"type": "integer", "minimum": 1},
                               "Part of a long body (100,000 characters each; default: the "
                               "part holding the best match of q)."),
                    ],
                    "responses": {"200": {"description": "As /api/doc/{id}"},
                                  "404": {"description": "No document with that id"}},
                }
            },
            "/api/doc/{id}": {
                "get": {
                    "summary": "One document with the query's matches marked",
                    "description": ("The original file is at /file/{id} (PDF: add #page=N), or "
                                    "/file?id=… for an id /doc?id= links to."),
                    "operationId": "document",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True,
                         "schema": {"type": "string"}, "description": "Document id."},
                        _param("q", {"type": "string"}, "Query whose matches are marked."),
                        _param("part", {"type": "integer", "minimum": 1},
                               "Part of a long body (100,000 characters each; default: the "
                               "part holding the best match of q)."),
                    ],
                    "responses": {
                        "200": {
                            "description": "The document",
                            "content": {"application/json": {"schema": {
                                "type": "object",
                                "required": ["id", "title", "format", "page"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "title": {"type": "string"},
                                    "title_html": {"type": "string"},
                                    "body_html": {"type": "string"},
                                    "lang": {"type": "string"},
                                    "date": {"type": ["string", "null"]},
                                    "source": {"type": "string"},
                                    "url": {"type": "string"},
                                    "format": _FORMAT,
                                    "page": _PAGE,
                                    "pages": {"type": ["integer", "null"],
                                              "description": "Page count of a paged document."},
                                    "part": {"type": "integer", "description":
                                             "The part of the body in body_html (1-based)."},
                                    "parts": {"type": "integer", "description":
                                              "How many parts the body has."},
                                    "author": {"type": ["string", "null"]},
                                    "tags": {"type": "array", "items": {"type": "string"}},
                                    "duplicates": _DUPLICATES,
                                    "related": {"type": "array", "items": _HIT,
                                                "description": "Its copies first, then "
                                                "documents sharing its words."},
                                },
                            }}},
                        },
                        "404": {"description": "Unknown id",
                                "content": {"application/json": {"schema": _ERROR}}},
                        "429": _TOO_MANY,
                    },
                }
            },
        },
    }
