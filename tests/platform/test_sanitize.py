"""sanitize_html() and render_markdown(): the XSS corpus leaves nothing active."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from achats.platform.markdown import render_markdown
from achats.platform.security import sanitize_html

VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"java&#x09;script:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "<details open ontoggle=alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<style>@import 'http://evil'</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<base href=javascript:alert(1)//>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<table background=javascript:alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<body onload=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "http://example.com/\"onmouseover=\"alert(1)",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<a href='https://ok.example' onclick='alert(1)'>x</a>",
    "<img src=\"https://ok.example/x.png\" onerror=\"alert(1)\">",
    "<span class=\"x\" style=\"color:red\">x</span>",
]

DANGEROUS_TAGS = {"script", "svg", "math", "iframe", "style", "object", "embed", "form", "noscript", "meta",
                  "base", "input", "body", "video", "source", "link", "button", "textarea"}


class _Scanner(HTMLParser):
    """Collects what a browser would make live: tags, event handlers, URL schemes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.problems.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "class", "background", "formaction"}:
                self.problems.append(name)
            if name in {"href", "src", "action", "data"} and value:
                scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
                if scheme and scheme not in {"http", "https", "mailto"}:
                    self.problems.append(f"{name}={value}")


def live_content(html: str) -> list[str]:
    scanner = _Scanner()
    scanner.feed(html)
    return scanner.problems


@pytest.mark.parametrize("vector", VECTORS)
def test_markdown_pipeline_leaves_no_active_content(vector):
    html = render_markdown(vector)
    assert live_content(html) == [], html


@pytest.mark.parametrize("vector", VECTORS)
def test_sanitize_html_leaves_no_active_content(vector):
    html = sanitize_html(vector)
    # Escaped text is harmless; only live tags/attributes count.
    assert live_content(html) == [], html


def test_links_get_rel_and_plain_urls_are_linkified():
    html = render_markdown("Voir https://www.legifrance.gouv.fr et [le guide](https://ademe.fr).")
    assert html.count('rel="nofollow ugc noopener noreferrer"') == 2


def test_markdown_tables_and_code_are_kept():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```")
    assert "<table>" in html and "<pre><code>" in html
