#!/usr/bin/env python
"""Refresh the .po catalogues from the sources and, optionally, fill in German texts.

    python scripts/messages.py                       # makemessages for de and en
    python scripts/messages.py --fill de.json        # ... then apply {"msgid": "msgstr"}
    python scripts/messages.py --missing             # list German gaps and stop

A JSON value may be a list for plural forms ([singular, plural]), keyed by the singular
msgid or by "singular|||plural". Several people (or
helper sessions) may run this at once: a file lock keeps the catalogues whole.
"""

import argparse
import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = [".venv", "node_modules", "staticfiles", "media", "tests", "scripts"]


def makemessages():
    args = [
        sys.executable,
        "manage.py",
        "makemessages",
        "-l",
        "de",
        "-l",
        "en",
        "--no-obsolete",
        "--add-location=file",
        "-v",
        "0",
    ]
    for pattern in IGNORE:
        args += ["--ignore", f"{pattern}/*", "--ignore", pattern]
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="pioneer.settings")
    subprocess.run(args, cwd=ROOT, check=True, env=env)


def fill(path):
    import polib

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    po = polib.pofile(str(ROOT / "locale/de/LC_MESSAGES/django.po"), wrapwidth=79)
    changed = 0
    for entry in po:
        # A plural entry may be keyed by its singular or by "singular|||plural".
        key = f"{entry.msgid}|||{entry.msgid_plural}" if entry.msgid_plural else entry.msgid
        if key not in data:
            key = entry.msgid
        if key not in data:
            continue
        value = data[key]
        if entry.msgid_plural:
            values = value if isinstance(value, list) else [value, value]
            entry.msgstr_plural = {0: values[0], 1: values[-1]}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        changed += 1
    po.save()
    print(f"filled {changed} German entries")


def missing():
    import polib

    po = polib.pofile(str(ROOT / "locale/de/LC_MESSAGES/django.po"))
    gaps = [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    for entry in gaps:
        print(json.dumps(entry.msgid, ensure_ascii=False))
    return len(gaps)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fill", help="JSON file of German translations")
    parser.add_argument("--missing", action="store_true")
    args = parser.parse_args()
    lock = open(ROOT / "locale" / ".lock", "w")  # noqa: SIM115
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        if args.missing:
            sys.exit(1 if missing() else 0)
        makemessages()
        if args.fill:
            fill(args.fill)
        print(f"{missing()} German entries still missing")
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)


if __name__ == "__main__":
    main()
