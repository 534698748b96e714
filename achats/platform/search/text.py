"""Text handling for search: accent folding, HTML to text, query terms and highlighted snippets.

Pure functions, no database: both engines share them, so that what is indexed, what is asked
and what is highlighted are folded the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from markupsafe import Markup

MAX_QUERY_CHARS = 200
MAX_TERMS = 10
MAX_TERM_CHARS = 40
SNIPPET_CHARS = 220

# Letters with no Unicode decomposition that French writes both ways ("cœur" / "coeur").
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
# A word: letters and digits (the tokenisers of FTS5 unicode61 and PostgreSQL split on the rest).
_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[a-zA-Z!/?][^>]*>")
_SPACES = re.compile(r"\s+")

# Frequent French words that carry no meaning for a search: dropped from queries (PostgreSQL's
# `french` configuration drops them too; FTS5 has no stop list, and as prefixes they would
# match most of the index).
STOPWORDS = frozenset(
    """a au aux avec ce ces cet cette d dans de des du elle en et eux il ils je l la le les leur
    leurs lui m ma mais me meme mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa
    se ses son sur t ta te tes toi ton tu un une vos votre vous y est sont ete etre avoir ai as
    avons avez ont""".split()
)


def fold(text: str) -> str:
    """Strip accents (and French ligatures), keep case: 'Écolabel œuvre' → 'Ecolabel oeuvre'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_key(text: str) -> str:
    return fold(text).casefold()


class _TextExtractor(HTMLParser):
    _SKIP = {"script", "style", "template", "noscript"}
    _BLOCKS = {"p", "br", "div", "li", "ul", "ol", "blockquote", "pre", "tr", "td", "th", "table",
               "h1", "h2", "h3", "h4", "h5", "h6", "hr", "section", "article"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML fragment (tags dropped, entities decoded, spaces collapsed)."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return _SPACES.sub(" ", "".join(parser.parts)).strip()


def plain_text(body: str) -> str:
    """Plain text as given, or the text of HTML when the body is markup (e.g. a post's body_html)."""
    if _TAG.search(body):
        return html_to_text(body)
    return _SPACES.sub(" ", body).strip()


def light_root(term: str) -> str:
    """A cheap French root for prefix matching: drop a plural 's'/'x', then a final 'e'.

    'clauses' → 'claus', 'énergie' → 'energi', 'travaux' → 'travau'; as prefixes these match
    the singular, the plural and the feminine forms. Short words are left alone.
    """
    if len(term) > 4 and term[-1] in "sx":
        term = term[:-1]
    if len(term) > 4 and term[-1] == "e":
        term = term[:-1]
    return term


def query_terms(q: str | None) -> list[str]:
    """The folded, lower-case words of a user's query: no syntax survives, only words.

    Stop words are dropped unless the query has nothing else; at most MAX_TERMS distinct words.
    """
    if not q:
        return []
    words = [w[:MAX_TERM_CHARS] for w in _WORD.findall(fold_key(q[:MAX_QUERY_CHARS]))]
    kept = [w for w in words if w not in STOPWORDS] or words
    unique: list[str] = []
    for w in kept:
        if w not in unique:
            unique.append(w)
    return unique[:MAX_TERMS]


@dataclass(frozen=True)
class Root:
    """A highlight rule: a folded word matches when it equals `text`, or starts with it if `prefix`."""

    text: str
    prefix: bool = True

    def matches(self, word: str) -> bool:
        return word.startswith(self.text) if self.prefix else word == self.text


def fts5_match(terms: list[str]) -> str:
    """An FTS5 MATCH expression from query words: each quoted (no syntax from user input), words
    of 3+ letters as prefixes of their light root, all required (implicit AND)."""
    parts = []
    for term in terms:
        quoted = '"' + term.replace('"', '""') + '"'
        root = light_root(term)
        if len(root) >= 3:
            parts.append('"' + root.replace('"', '""') + '"*')
        else:
            parts.append(quoted)
    return " ".join(parts)


def sqlite_roots(terms: list[str]) -> list[Root]:
    roots = []
    for term in terms:
        root = light_root(term)
        roots.append(Root(root, prefix=len(root) >= 3))
    return roots


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """`text` folded and lower-cased, with, for each folded character, its index in `text`."""
    out: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        if char.isascii():
            folded = char.lower()
        else:
            folded = fold_key(char)
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), index


def _match_spans(text: str, roots: list[Root]) -> list[tuple[int, int]]:
    folded, index = _folded_with_map(text)
    spans: list[tuple[int, int]] = []
    for m in _WORD.finditer(folded):
        if any(r.matches(m.group()) for r in roots):
            start = index[m.start()]
            end = index[m.end() - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1  # a decomposed accent belongs to the word it follows
            spans.append((start, end))
    return spans


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    parts: list[str] = []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        parts.append(escape(text[pos:s], quote=True))
        parts.append("<mark>" + escape(text[s:e], quote=True) + "</mark>")
        pos = e
    parts.append(escape(text[pos:end], quote=True))
    return "".join(parts)


def highlight(text: str, roots: list[Root]) -> Markup:
    """The whole (short) text, escaped, with matching words in <mark>: for titles."""
    return Markup(_marked(text, _match_spans(text, roots), 0, len(text)))


def snippet(text: str, roots: list[Root], width: int = SNIPPET_CHARS) -> Markup:
    """An extract of about `width` characters around the densest group of matches, escaped
    first, matches wrapped in <mark>, '…' where the text was cut."""
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return Markup("")
    spans = _match_spans(text, roots)
    if len(text) <= width:
        return Markup(_marked(text, spans, 0, len(text)))
    if not spans:
        start = 0
    else:
        best, best_score = spans[0][0], -1
        for s, _ in spans:
            window_start = max(0, s - width // 4)
            window = [sp for sp in spans if sp[0] >= window_start and sp[1] <= window_start + width]
            # Distinct matched words count more than repeats of one word.
            score = len({text[a:b].casefold() for a, b in window}) * 100 + len(window)
            if score > best_score:
                best, best_score = window_start, score
        start = best
    end = min(len(text), start + width)
    if end == len(text):
        start = max(0, end - width)
    # Cut on word boundaries.
    if start > 0:
        space = text.find(" ", start, start + 30)
        if space != -1:
            start = space + 1
    if end < len(text):
        space = text.rfind(" ", end - 30, end)
        if space > start:
            end = space
    body = _marked(text, spans, start, end)
    return Markup(("… " if start > 0 else "") + body + (" …" if end < len(text) else ""))
