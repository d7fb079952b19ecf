"""Every translatable string of the web apps ships in Vietnamese, Arabic and Hindi.

The strings are extracted the way the catalogues are made (``makemessages`` over a copy
of ``src/dxscore/web`` in a temporary folder, so the real catalogues are not touched) and
looked up in the union of the site's and the apps' catalogues of each language: none may
be missing, empty or fuzzy, and the compiled ``.mo`` files must say the same as the
``.po``. A plural form may leave out one placeholder (the count), as Arabic writes "one
value" and "two values" in words.
"""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dxscore.web

WEB = Path(dxscore.web.__file__).parent
LANGUAGES = ("vi", "ar", "hi")
CATALOGUES = sorted(WEB.rglob("locale/*/LC_MESSAGES/django.po"))


def catalogues(language: str) -> list[Path]:
    return sorted(WEB.rglob(f"locale/{language}/LC_MESSAGES/django.po"))


pytestmark = pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed"
)


def parse_po(path: Path) -> list[dict]:
    """The entries of a PO file: msgctxt, msgid, msgid_plural, msgstr[...], flags."""
    entries: list[dict] = []
    cur: dict | None = None
    field = None

    def flush():
        if cur is not None and "msgid" in cur:
            entries.append(cur)

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            flush()
            cur, field = None, None
            continue
        starts_entry = line.startswith("#") or line.startswith(("msgctxt ", "msgid "))
        if cur is not None and starts_entry and any(k.startswith("msgstr") for k in cur):
            flush()
            cur, field = None, None
        if cur is None:
            cur = {"flags": set(), "obsolete": False}
        if line.startswith("#,"):
            cur["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#~"):
            cur["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            cur[field] += ast.literal_eval(line)
        else:
            field, _, rest = line.partition(" ")
            cur[field] = ast.literal_eval(rest)
    flush()
    return [e for e in entries if e["msgid"] and not e["obsolete"]]


def _key(entry: dict) -> tuple[str | None, str]:
    return entry.get("msgctxt"), entry["msgid"]


def _msgstrs(entry: dict) -> list[str]:
    return [v for k, v in sorted(entry.items()) if k.startswith("msgstr")]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> list[dict]:
    """Every msgid of the web apps' Python files and templates, as makemessages finds it."""
    copy = tmp_path_factory.mktemp("messages") / "web"
    shutil.copytree(
        WEB,
        copy,
        ignore=shutil.ignore_patterns("locale", "static", "migrations", "__pycache__"),
    )
    (copy / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "vi", "--no-location"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    entries = parse_po(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 500  # the extraction worked
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogues_exist(language):
    found = catalogues(language)
    assert WEB / f"locale/{language}/LC_MESSAGES/django.po" in found
    assert WEB / f"dashboards/locale/{language}/LC_MESSAGES/django.po" in found
    # every app with a catalogue has it in every language
    assert [p.parent.parent.parent.parent for p in found] == [
        p.parent.parent.parent.parent for p in catalogues("vi")
    ]


def test_the_site_offers_the_languages_of_the_catalogues():
    from django.conf import settings

    assert {code for code, _name in settings.LANGUAGES} == {"en", *LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_has_a_translation(extracted, language):
    translated = {}
    for path in catalogues(language):
        for entry in parse_po(path):
            if "fuzzy" not in entry["flags"] and all(_msgstrs(entry)):
                translated[_key(entry)] = entry
    missing = [_key(e) for e in extracted if _key(e) not in translated]
    assert not missing, f"{len(missing)} string(s) without a translation in {language}: {missing}"


def test_no_fuzzy_or_empty_entries():
    bad = [
        (path.relative_to(WEB).as_posix(), entry["msgid"])
        for path in CATALOGUES
        for entry in parse_po(path)
        if "fuzzy" in entry["flags"] or not all(_msgstrs(entry))
    ]
    assert not bad


def test_placeholders_are_kept():
    import re

    placeholder = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdfgr]|\{\{ ?\w+ ?\}\}")
    bad = []
    for path in CATALOGUES:
        for entry in parse_po(path):
            want = set(placeholder.findall(entry["msgid"]))
            want |= set(placeholder.findall(entry.get("msgid_plural", "")))
            for text in _msgstrs(entry):
                got = set(placeholder.findall(text))
                plural = "msgid_plural" in entry
                if got != want and not (plural and got <= want and len(want - got) <= 1):
                    bad.append((path.relative_to(WEB).as_posix(), entry["msgid"]))
    assert not bad


def test_compiled_catalogues_match():
    for path in CATALOGUES:
        mo = path.with_suffix(".mo")
        assert mo.exists(), mo
        with mo.open("rb") as fh:
            catalog = gettext.GNUTranslations(fh)._catalog
        for entry in parse_po(path):
            ctxt, msgid = _key(entry)
            key = f"{ctxt}\x04{msgid}" if ctxt else msgid
            if "msgid_plural" in entry:
                assert catalog.get((key, 0)) == entry["msgstr[0]"], (mo, msgid)
            else:
                assert catalog.get(key) == entry["msgstr"], (mo, msgid)


def test_translation_functions_keep_names_that_makemessages_extracts():
    """``makemessages`` finds ``_``, ``gettext_lazy``, ``ngettext``... by name: a string
    marked through another alias would silently never be translated."""
    import re

    alias = re.compile(r"import\s+(\w*gettext\w*)\s+as\s+(\w+)")
    wrong = [
        f"{path.relative_to(WEB)}: {m.group(0)}"
        for path in WEB.rglob("*.py")
        for m in alias.finditer(path.read_text(encoding="utf-8"))
        if m.group(2) != "_"
    ]
    assert not wrong, wrong


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_entries_have_every_form_of_their_language(language):
    """Vietnamese has one form, Hindi two, Arabic six (``Plural-Forms`` of the header,
    gettext's rule): each plural entry carries exactly that many."""
    import re

    wanted = {"vi": 1, "hi": 2, "ar": 6}[language]
    for path in catalogues(language):
        header = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
        found = re.search(r"nplurals=(\d+)", header)
        assert found and int(found.group(1)) == wanted, path
        for entry in parse_po(path):
            if "msgid_plural" in entry:
                assert len(_msgstrs(entry)) == wanted, (path, entry["msgid"])
