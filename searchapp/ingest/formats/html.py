"""HTML: the nesting guard every reader runs before parsing HTML (check_nesting), and the visible
text and title through selectolax's HTML5 parser (Lexbor)."""

from __future__ import annotations

import re

from ..extracted import SkipFile

MAX_HTML_NESTING = 10_000
_TOKEN = re.compile(r"<(?:(!--)|(/?)([A-Za-z][^\s/>]*))")
_OPENING = re.compile(r"<[A-Za-z]")
_VOID = frozenset("area base basefont bgsound br col embed frame hr img input keygen link meta "
                  "param source track wbr".split())
_RAW = {n: re.compile(f"</{n}", re.I) for n in
        "script style textarea title xmp iframe noembed noframes noscript".split()}
_SPECIAL = frozenset(
    "address applet area article aside base basefont bgsound blockquote body br button caption "
    "center col colgroup dd details dir div dl dt embed fieldset figcaption figure footer form "
    "frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe img input keygen li link "
    "listing main marquee menu meta nav noembed noframes noscript object ol p param plaintext pre "
    "script search section select source style summary table tbody td template textarea tfoot th "
    "thead title tr track ul wbr xmp".split())
_SCOPE = frozenset("applet caption html table td th marquee object template".split())
_TABLE_SCOPE = frozenset("html table template".split())
_TABLE_PARTS = frozenset("table tbody thead tfoot tr td th caption colgroup".split())
_BLOCKS = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre search "
    "section summary table ul".split())
# an opening tag closes these when they are the current element (HTML's implied end tags)
_CLOSES = {"li": {"li", "p"}, "dt": {"dt", "dd", "p"}, "dd": {"dt", "dd", "p"},
           "option": {"option"}, "optgroup": {"option", "optgroup"}, "tr": {"td", "th", "tr"},
           "td": {"td", "th"}, "th": {"td", "th"}, "rb": {"rb", "rt", "rp"},
           "rt": {"rb", "rt", "rp"}, "rp": {"rb", "rt", "rp"},
           **{n: {"td", "th", "tr", "tbody", "thead", "tfoot"} for n in ("tbody", "thead", "tfoot")},
           **{n: {"p"} for n in _BLOCKS}}
# what stops an end tag's search for its element: the scope of HTML's tree building ("any
# other end tag", not special: a special element)
_BOUNDS = {"li": _SCOPE | {"ol", "ul"}, "p": _SCOPE | {"button"},
           **{n: _TABLE_SCOPE for n in _TABLE_PARTS}}
_MAX_WALK = 256  # an end tag looks this far down for its element (else it is ignored)


def nesting_depth(html: str, limit: int = MAX_HTML_NESTING) -> int:
    """How deep the elements of html nest, as an HTML5 parser builds them (closely enough to
    bound its work: an end tag with no open element in scope is ignored, as parsers do, and
    implied end tags close <p>, <li>, cells; where parsers differ this counts deeper). A page
    with at most `limit` opening tags answers their count; past limit the scan stops.
    Linear in the text: comments and raw text (script, style…) are skipped with one search."""
    opened = len(_OPENING.findall(html))
    if opened <= limit:
        return opened
    stack: list[str] = []
    counts: dict[str, int] = {}
    ignored: dict[str, int] = {}  # end tag -> len(stack) when it was last ignored, unchanged
    best = skip = 0
    for m in _TOKEN.finditer(html):
        if m.start() < skip:
            continue
        comment, slash, name = m.groups()
        if comment:  # a comment runs to -->, or to the end
            end = html.find("-->", m.end())
            if end < 0:
                break
            skip = end + 3
            continue
        name = name.lower()
        if slash:
            if counts.get(name) and ignored.get(name) != len(stack):
                popped = _close(stack, name)
                for gone in stack[len(stack) - popped:]:
                    counts[gone] -= 1
                del stack[len(stack) - popped:]
                if not popped:
                    ignored[name] = len(stack)
            continue
        if name in _VOID:
            continue
        closes = _CLOSES.get(name)
        while closes and stack and stack[-1] in closes:
            counts[stack.pop()] -= 1
        stack.append(name)
        counts[name] = counts.get(name, 0) + 1
        if ignored:
            ignored.clear()
        if len(stack) > best:
            best = len(stack)
            if best > limit:
                return best
        if raw := _RAW.get(name):
            end_tag = raw.search(html, m.end())
            if end_tag is None:
                break
            skip = end_tag.start()
    return best


def _close(stack: list[str], name: str) -> int:
    """How many elements an end tag closes: through its element if a parser would (in
    scope), else none."""
    if stack[-1] == name:
        return 1
    bounds = _BOUNDS.get(name, _SCOPE if name in _SPECIAL else _SPECIAL)
    for depth, open_name in enumerate(reversed(stack)):
        if open_name == name:
            return depth + 1
        if open_name in bounds or depth >= _MAX_WALK:
            return 0
    return 0


def _nesting_run(html: str) -> int:
    """nesting_depth (the name webpage.py imports)."""
    return nesting_depth(html)


def check_nesting(html: str) -> None:
    """Parsers take time in the square of the nesting depth (100k nested <div>: minutes):
    refuse such HTML before any parser sees it (pages, EPUB chapters, e-mail bodies)."""
    if nesting_depth(html) > MAX_HTML_NESTING:
        raise SkipFile(f"HTML nested too deeply (over {MAX_HTML_NESTING} levels)")


def html_to_text(html: str) -> tuple[str, str]:
    from selectolax.lexbor import LexborHTMLParser

    check_nesting(html)  # the parser's time grows with the square of the nesting depth
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    for node in tree.css("script, style, noscript, template, svg, iframe, object"):
        node.decompose()
    root = tree.body or tree.root
    body = root.text(separator="\n", strip=True) if root is not None else ""
    if not title:
        h1 = tree.css_first("h1")
        title = h1.text(strip=True) if h1 else ""
    return " ".join(title.split()), body
