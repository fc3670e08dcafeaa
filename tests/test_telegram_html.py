"""The checker of Telegram's HTML rules that the fake Bot API and the tests rely on."""

from __future__ import annotations

import pytest
from fake_bot_api import HtmlError, telegram_text

VALID = {
    "plain": ("plain text", "plain text"),
    "bold-italic": ("<b>bold</b> and <i>it</i>", "bold and it"),
    "nested": ("<b>a <i>b</i> c</b>", "a b c"),
    "entities": ("&lt;3 &amp; &gt; &quot;x&quot; &#33;", '<3 & > "x" !'),
    "link": ('<a href="https://example.org/">site</a>', "site"),
    "spoiler": ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
    "pre-code": ('<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
    "blockquote": ("<blockquote expandable>quote</blockquote>", "quote"),
}
INVALID = {
    "unknown-tag": "<p>para</p>",
    "bare-lt": "1 < 2",
    "bare-gt": "2 > 1",
    "bare-amp": "salt & pepper",
    "named-entity": "&nbsp;",
    "unclosed": "<b>bold",
    "crossed": "<b><i>x</b></i>",
    "stray-close": "x</b>",
    "a-without-href": "<a>x</a>",
    "span-without-spoiler": '<span class="red">x</span>',
    "tag-in-code": "<code><b>x</b></code>",
    "nested-quote": "<blockquote><blockquote>x</blockquote></blockquote>",
    "bad-attribute": '<b class="x">x</b>',
}


@pytest.mark.parametrize("case", list(VALID), ids=list(VALID))
def test_valid_html_gives_the_shown_text(case: str) -> None:
    markup, shown = VALID[case]
    assert telegram_text(markup) == shown


@pytest.mark.parametrize("case", list(INVALID), ids=list(INVALID))
def test_invalid_html_is_refused(case: str) -> None:
    with pytest.raises(HtmlError):
        telegram_text(INVALID[case])
