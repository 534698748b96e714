"""Markdown source to sanitised HTML, done once when content is written."""

from __future__ import annotations

from markdown_it import MarkdownIt

from achats.platform.security import sanitize_html

_md = MarkdownIt("commonmark", {"html": False, "breaks": True, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def render_markdown(source: str) -> str:
    """Render with raw HTML disabled, then clean: the result is safe to mark `|safe`."""
    return sanitize_html(_md.render(source or ""))
