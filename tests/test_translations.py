"""German is the default language and English is complete: every source string has a
German translation, and the committed catalogues are up to date with the sources."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = "locale/{}/LC_MESSAGES/django.po"


def _gaps(po):
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def test_every_german_string_is_translated():
    po = polib.pofile(str(ROOT / CATALOGUE.format("de")))
    assert len(po) > 100
    assert _gaps(po) == []


def test_catalogues_match_the_sources(tmp_path):
    """Re-extract the strings in a copy of the tree; nothing may be missing from git's .po."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "node_modules", ".git", "staticfiles", "media", "*.sqlite3", "__pycache__"
        ),
        symlinks=True,
    )
    (copy / ".venv").symlink_to(ROOT / ".venv")
    subprocess.run(
        [sys.executable, str(copy / "scripts" / "messages.py")],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    for language in ("de", "en"):
        committed = {e.msgid for e in polib.pofile(str(ROOT / CATALOGUE.format(language)))}
        fresh = {e.msgid for e in polib.pofile(str(copy / CATALOGUE.format(language)))}
        missing = sorted(fresh - committed)
        assert missing == [], f"run `make messages` and translate: {missing[:10]}"


def test_allauth_speaks_formal_german():
    """allauth's own catalogue says "du"; civil servants are addressed with "Sie"."""
    from django.utils import translation

    with translation.override("de"):
        assert translation.gettext("You have signed out.") == "Sie haben sich abgemeldet."
        assert "Sie" in translation.gettext("Be patient, you are sending too many requests.")


def test_every_formal_override_names_a_string_allauth_has():
    import allauth

    theirs = polib.pofile(str(Path(allauth.__file__).parent / CATALOGUE.format("de")))
    known = {e.msgid for e in theirs if not e.obsolete}
    ours = polib.pofile(str(ROOT / "locale" / "overrides" / "de" / "LC_MESSAGES" / "django.po"))
    assert len(ours) > 20
    assert [e.msgid for e in ours if e.msgid not in known] == []
    assert _gaps(ours) == []
