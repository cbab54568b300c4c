"""Checks that a page shown in English carries no Chinese the applicant cannot read.

Chinese is allowed where it is meant: inside an element marked lang="zh-CN" (the official name of
a document or an office, given beside its English, as WCAG 3.1.2 asks), in what the person typed
(`allowed`), and in the 中文 switch itself.
"""

import re
from html.parser import HTMLParser

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# Attributes a reader or a screen reader meets as text.
_TEXT_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "aria-description")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _ChineseFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, exempt)
        self.found: list[str] = []

    def _exempt(self) -> bool:
        return any(exempt for _tag, exempt in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        exempt = (attributes.get("lang") or "").lower().startswith("zh") or tag in ("script", "style")
        if not exempt and not self._exempt():
            for name in _TEXT_ATTRIBUTES:
                if CJK.search(attributes.get(name) or ""):
                    self.found.append(f"<{tag} {name}={attributes[name]!r}>")
            if tag == "input" and attributes.get("type") in ("submit", "button", "reset"):
                if CJK.search(attributes.get("value") or ""):
                    self.found.append(f"<input value={attributes['value']!r}>")
        if tag not in _VOID:
            self.stack.append((tag, exempt))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self._exempt() and CJK.search(data):
            self.found.append(data.strip())


def chinese_left_in(html: str, *, allowed=()) -> list[str]:
    """The pieces of text on the page that are still Chinese (after removing `allowed` strings)."""
    # A lazy label (gettext_lazy) is allowed as the text it stands for.
    for text in sorted((str(text) for text in allowed), key=len, reverse=True):
        html = html.replace(text, "")
    finder = _ChineseFinder()
    finder.feed(html)
    return [piece for piece in finder.found if CJK.search(piece)]


def assert_page_in_english(response_or_html, *, allowed=()) -> None:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    assert '<html lang="en">' in html, 'the page does not say <html lang="en">'
    left = chinese_left_in(html, allowed=allowed)
    assert not left, "untranslated Chinese on an English page: " + " | ".join(left[:20])
