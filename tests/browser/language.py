"""Is a page in one language? A check for browser tests: an English page shows no German
interface text, a German page no English one.

What the reader meets is taken from the live page (the rendered text, without what is
hidden from everyone; plus aria-label, title, placeholder and alt), leaving out what is not
interface: scripts, the language switch, every element marked with a language of its own
(`lang="..."`: an e-mail's preview in the recipient's language), every element marked
`translate="no"` (literal text such as the column headings a file may use, in either
language) and every text stored in
the database (names, titles, descriptions people typed: data, whatever its language). The
rest is compared

- with the catalogue (locale/de/LC_MESSAGES/django.po): a phrase of two words or more from
  a German msgstr on an English page, or from an English msgid on a German page (a text
  that was not translated, or translated at import time and frozen), and
- with tell-tale words of the other language (tests/test_languages.py), which also finds
  text that was never marked for translation.

Use `watch_language(visitor)` once: from then on every page the visitor audits is checked
too. `other_language_text(page)` answers for one page.
"""

import re
from functools import cache
from pathlib import Path

from django.conf import settings

from tests.test_languages import ENGLISH, GERMAN, _data_texts

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"
# Placeholders and markup split a message into the phrases a page shows verbatim.
SPLIT = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{.*?\}\}|\{%.*?%\}|\{\w*\}|<[^>]+>|\n")
MIN_WORDS = 2
MIN_CHARS = 10

VISIBLE_TEXT_JS = """() => {
    const pageLang = (document.documentElement.lang || '').split('-')[0];
    const foreign = el => {
        const marked = el.closest('[lang]');
        return marked && marked !== document.documentElement
            && marked.getAttribute('lang').split('-')[0] !== pageLang;
    };
    // translate="no": literal text in any language (a file's accepted column headings).
    const skipped = el => !!el.closest(
        'script, style, template, noscript, .pio-lang-switch, [translate=no]') || foreign(el);
    const parts = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const el = walker.currentNode.parentElement;
        if (!el || skipped(el)) continue;
        // Shown to nobody (display: none, the hidden attribute): not read either.
        if (el.checkVisibility && !el.checkVisibility()) continue;
        parts.push(walker.currentNode.nodeValue);
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], img[alt]')) {
        if (skipped(el)) continue;
        for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
            const value = el.getAttribute(name);
            if (value) parts.push(value);
        }
    }
    for (const el of document.querySelectorAll('input[type=submit][value], option')) {
        if (!skipped(el)) parts.push(el.value && el.tagName === 'INPUT' ? el.value : el.text);
    }
    return parts.join('\\n');
}"""


def _phrases(text):
    for piece in SPLIT.split(text or ""):
        phrase = " ".join(piece.split()).strip(" .,:;!?()–-“”„\"'")
        if len(phrase) >= MIN_CHARS and len(phrase.split()) >= MIN_WORDS:
            yield phrase


@cache
def catalogue_phrases():
    """(German phrases, English phrases) of the catalogue's translated messages, each
    without the phrases both languages share (a name, an abbreviation, "E-Mail")."""
    import polib

    german, english = set(), set()
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not any(targets):
            continue
        for source in sources:
            english.update(_phrases(source))
        for target in targets:
            german.update(_phrases(target))
    shared = german & english
    return frozenset(german - shared), frozenset(english - shared)


def interface_text(page):
    """The page's text as its reader meets it, without data (stored texts)."""
    text = " ".join(page.evaluate(VISIBLE_TEXT_JS).split())
    for value in _data_texts():
        text = re.sub(rf"(?<!\w){re.escape(' '.join(value.split()))}(?!\w)", " ", text)
    return " ".join(text.split())


def other_language_text(page):
    """What on the page is in the other language than its `<html lang>` ([] if nothing)."""
    language = (page.locator("html").get_attribute("lang") or "de").split("-")[0]
    text = interface_text(page)
    german, english = catalogue_phrases()
    phrases = german if language == "en" else english
    found = [f"phrase {phrase!r}" for phrase in sorted(phrases) if _contains(text, phrase)]
    pattern = GERMAN if language == "en" else ENGLISH
    for match in pattern.finditer(text):
        start = max(0, match.start() - 40)
        found.append(f"word {match.group(0)!r} in …{text[start : match.end() + 40]}…")
    return found


def _contains(text, phrase):
    index = text.find(phrase)
    while index != -1:
        before = text[index - 1] if index else " "
        after = text[index + len(phrase)] if index + len(phrase) < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        index = text.find(phrase, index + 1)
    return False


def assert_one_language(visitor):
    found = other_language_text(visitor.page)
    lang = visitor.html_lang()
    assert not found, f"{visitor.path} (lang={lang}) shows the other language:\n  " + "\n  ".join(
        found
    )


def watch_language(visitor):
    """Check every page `visitor` audits from now on (goto, submit, press, audit)."""
    audit = visitor.audit

    def audit_and_check_language():
        audit()
        assert_one_language(visitor)

    visitor.audit = audit_and_check_language
    return visitor
