"""Text handling for search: accent folding, HTML to text, query terms and highlighted snippets.

Pure functions, no database: both engines share them, so that what is indexed, what is asked
and what is highlighted are folded the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from html.parser import HTMLParser

from markupsafe import Markup

MAX_QUERY_CHARS = 200
MAX_TERMS = 10
MAX_TERM_CHARS = 40
SNIPPET_CHARS = 220
SNIPPET_SCAN = 20_000

# Letters with no Unicode decomposition that French writes both ways ("cœur" / "coeur").
_LIGATURES = (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE"), ("ß", "ss"))
# Combining marks (accents once decomposed): the Unicode blocks of combining diacritics.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# A word: letters and digits (the tokenisers of FTS5 unicode61 and PostgreSQL split on the rest).
_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[a-zA-Z!/?][^>]*>")
_SPACES = re.compile(r"\s+")

# Frequent French words that carry no meaning for a search: dropped from queries (PostgreSQL's
# `french` configuration drops them too; FTS5 has no stop list, and as prefixes they would
# match most of the index).
STOPWORDS = frozenset({
    "a", "au", "aux", "avec", "ce", "ces", "cet", "cette", "d", "dans", "de", "des", "du", "elle",
    "en", "et", "eux", "il", "ils", "je", "l", "la", "le", "les", "leur", "leurs", "lui", "m",
    "ma", "mais", "me", "meme", "mes", "moi", "mon", "n", "ne", "nos", "notre", "nous", "on", "ou",
    "par", "pas", "pour", "qu", "que", "qui", "s", "sa", "se", "ses", "son", "sur", "t", "ta",
    "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "y", "est", "sont",
    "ete", "etre", "avoir", "ai", "as", "avons", "avez", "ont",
})


def fold(text: str) -> str:
    """Strip accents (and French ligatures), keep case: 'Écolabel œuvre' → 'Ecolabel oeuvre'."""
    if text.isascii():
        return text
    for ligature, letters in _LIGATURES:
        if ligature in text:
            text = text.replace(ligature, letters)
    return _MARKS.sub("", unicodedata.normalize("NFKD", text))


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


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_MD_LINE_MARK = re.compile(r"^[ \t]{0,3}(?:>[ \t>]*|#{1,6}[ \t]+|[-*+][ \t]+|\d{1,3}[.)][ \t]+)", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__|~~|`+)")


def plain_text(body: str) -> str:
    """The text to index: the text of HTML when the body is markup (a post's body_html, the best
    input), else the body with the common Markdown marks dropped (links keep their text)."""
    if _TAG.search(body):
        return html_to_text(body)
    body = _MD_EMPHASIS.sub("", _MD_LINE_MARK.sub("", _MD_LINK.sub(r"\1", body)))
    return _SPACES.sub(" ", body).strip()


PAGE_BREAK = "\f"
_PAGE_SPACES = re.compile(r"[^\S\f]+")


def page_text(body: str) -> str:
    """Plain text whose pages stay apart: spaces collapsed, form feeds kept (even leading ones:
    they number the pages)."""
    return _PAGE_SPACES.sub(" ", body).strip(" ")


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


def _folded_with_map(text: str) -> tuple[str, list[int] | None]:
    """`text` folded and lower-cased, with, for each folded character, its index in `text`
    (None when folding kept every character in place, the usual case for French)."""
    folded = fold_key(text)
    if len(folded) == len(text):
        return folded, None
    out: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        piece = char.lower() if char.isascii() else fold_key(char)
        out.append(piece)
        index.extend([i] * len(piece))
    return "".join(out), index


@lru_cache(maxsize=512)
def _roots_pattern(roots: tuple[Root, ...]) -> re.Pattern[str] | None:
    """One regex finding, in folded text, the words a highlight rule matches."""
    alternatives = sorted(
        (re.escape(r.text) + (r"[^\W_]*" if r.prefix else r"(?![^\W_])") for r in roots if r.text),
        key=len, reverse=True,
    )
    if not alternatives:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + ")")


def _match_spans(text: str, roots: list[Root]) -> list[tuple[int, int]]:
    pattern = _roots_pattern(tuple(roots))
    if pattern is None:
        return []
    folded, index = _folded_with_map(text)
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(folded):
        if index is None:
            start, end = m.start(), m.end()
        else:
            start, end = index[m.start()], index[m.end() - 1] + 1
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
    return Markup(_marked(text, _match_spans(text, roots), 0, len(text)))  # noqa: S704 - escaped by _marked


def snippet(text: str, roots: list[Root], width: int = SNIPPET_CHARS) -> Markup:
    """An extract of about `width` characters around the densest group of matches, escaped
    first, matches wrapped in <mark>, '…' where the text was cut."""
    # Bodies are stored with their spaces collapsed (plain_text); a very long one is only
    # searched for matches in its first SNIPPET_SCAN characters.
    text = text[:SNIPPET_SCAN].strip()
    if not text:
        return Markup("")
    spans = _match_spans(text, roots)
    if len(text) <= width:
        return Markup(_marked(text, spans, 0, len(text)))  # noqa: S704 - escaped by _marked
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
    return Markup(("… " if start > 0 else "") + body + (" …" if end < len(text) else ""))  # noqa: S704 - escaped by _marked


# Each ASCII letter of a folded root, as the letters it stands for in French text, both cases:
# a 30-page body (about 60,000 characters) is searched as it is — no lower-casing or folding of
# the whole body, which cost more than the search itself.
_ACCENTED = {"a": "aàâäáAÀÂÄÁ", "c": "cçCÇ", "e": "eéèêëEÉÈÊË", "i": "iîïíIÎÏÍ", "o": "oôöóOÔÖÓ",
             "u": "uùûüúUÙÛÜÚ", "y": "yÿYŸ", "n": "nñNÑ"}
_WORD_CHAR = re.compile(r"[^\W_]")


@lru_cache(maxsize=512)
def _raw_pattern(roots: tuple[Root, ...]) -> re.Pattern[str] | None:
    """The words of `roots` in unfolded text of any case ("ecolabel" finds "Écolabel", "oeuvre"
    finds "œuvre"); word boundaries are checked on each match (a look-behind at every position
    made the scan three times slower)."""
    def letters(text: str) -> str:
        out, i = [], 0
        while i < len(text):
            if text.startswith("oe", i):
                out.append("(?:[oôOÔ][eE]|[œŒ])")
                i += 2
                continue
            char = text[i]
            out.append(f"[{_ACCENTED[char]}]" if char in _ACCENTED else
                       f"[{re.escape(char)}{re.escape(char.upper())}]" if char.isalpha() else re.escape(char))
            i += 1
        return "".join(out)

    alternatives = sorted((f"(?P<{'p' if r.prefix else 'w'}{n}>{letters(r.text.casefold())})"
                           for n, r in enumerate(roots) if r.text), key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile("|".join(alternatives))


def _first_word_match(text: str, roots: list[Root]) -> int | None:
    pattern = _raw_pattern(tuple(roots))
    if pattern is None:
        return None
    for match in pattern.finditer(text):
        start, end = match.span()
        if start > 0 and _WORD_CHAR.match(text, start - 1):
            continue
        whole_word = (match.lastgroup or "").startswith("w")
        if whole_word and end < len(text) and _WORD_CHAR.match(text, end):
            continue
        return start
    return None


def page_snippet(text: str, roots: list[Root], width: int = SNIPPET_CHARS) -> tuple[Markup, int | None]:
    """A snippet around the first match of a paged body (form feeds between pages, page 0 being
    what precedes the first one) and that page's number: the first match is found in the body as
    it is, then only its page is cut and highlighted."""
    if not text:
        return Markup(""), None
    position = _first_word_match(text, roots)
    if position is None:
        return snippet(text.split(PAGE_BREAK, 1)[0], roots, width), None
    page = text.count(PAGE_BREAK, 0, position)
    start = text.rfind(PAGE_BREAK, 0, position) + 1
    end = text.find(PAGE_BREAK, position)
    return snippet(text[start:end if end != -1 else len(text)], roots, width), page
