"""Reply composition: Telegram HTML, plain text, lengths and splitting."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from bot.compose import TELEGRAM_LIMIT, split_html, telegram_length, to_plain
from bot.engine import Engine

ALLOWED_TAGS = {"b", "i"}


class TagCheck(HTMLParser):
    """Collect tags and check they are allowed and properly nested."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS or attrs:
            self.bad.append(tag)
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.bad.append(f"/{tag}")

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self.bad.append(f"&{name};")


def html_problems(markup: str) -> list[str]:
    """Return what Telegram would reject in this HTML."""
    check = TagCheck()
    check.feed(markup)
    check.close()
    return check.bad + check.stack


def test_every_answer_is_valid_telegram_html(engine: Engine) -> None:
    bad = {a.id: html_problems(engine.show(a.id).reply.html) for a in engine.knowledge.answers}
    assert {k: v for k, v in bad.items() if v} == {}


def test_plain_text_is_the_html_without_tags() -> None:
    assert to_plain("<b>a &lt; b</b> &amp; <i>c</i>") == "a < b & c"


@pytest.mark.parametrize(("text", "length"), [("abc", 3), ("\U0001f48a", 2), ("\u00e9", 1)],
                         ids=["ascii", "emoji-is-two-units", "accented"])
def test_telegram_length_counts_utf16_units(text: str, length: int) -> None:
    assert telegram_length(text) == length


def test_split_keeps_short_messages_whole() -> None:
    assert split_html("<b>a</b>\n\nb") == ["<b>a</b>\n\nb"]


def test_split_breaks_at_paragraphs_within_the_limit() -> None:
    markup = "\n\n".join(f"<b>{n}</b> " + "x" * 1000 for n in range(10))
    parts = split_html(markup)
    assert all(telegram_length(to_plain(p)) <= TELEGRAM_LIMIT and not html_problems(p)
               for p in parts) and len(parts) == 3


def test_split_cuts_one_huge_paragraph_without_breaking_tags() -> None:
    parts = split_html("<b>" + "y" * 10_000 + "</b>")
    assert all(telegram_length(to_plain(p)) <= TELEGRAM_LIMIT and not html_problems(p)
               for p in parts) and "".join(map(to_plain, parts)).replace("\n", "") == "y" * 10_000


def test_all_sources_reply_fits_one_message(engine: Engine) -> None:
    assert len(split_html(engine.sources(None).html)) == 1


def test_answer_shows_short_sources_and_evidence(engine: Engine) -> None:
    text = engine.show("ards").reply.text
    assert re.search(r"Sources: .*University of Maryland Medical Center, 2014", text) and (
        "Evidence:" in text)
