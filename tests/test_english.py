"""English through the language menu; Vietnamese for everyone else; a complete
English catalogue."""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from criteria.models import Plan
from parplan.roles import Role
from reports.models import PeerRank
from tests.helpers import browser_login, client_for, make_user

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# (who, URL name, English the page shows, Vietnamese it shows without the choice)
PAGES = [
    (
        "director",
        "reports-dashboard",
        ["Plan overview, 2023", "Plan scores", "PAR Index and rank", "By area"],
        ["Tổng quan kế hoạch năm 2023", "Điểm của kế hoạch", "Chỉ số và xếp hạng"],
    ),
    (
        "office",
        "reports-tree",
        [
            "Area, criterion / task",
            "Maximum score",
            "Last year's score (2022)",
            "Overdue or due soon",
        ],
        [
            "Lĩnh vực, tiêu chí / nhiệm vụ",
            "Điểm tối đa",
            "Điểm năm trước (2022)",
            "Quá hạn hoặc sắp đến hạn",
        ],
    ),
    (
        "office",
        "tasks-list",
        ["Tasks, solutions", "Lead units", "Progress"],
        ["Nhiệm vụ, giải pháp", "Đơn vị chủ trì", "Tiến độ"],
    ),
    (
        "head_office",
        "tasks-mine",
        ["My unit&#x27;s tasks", "Not yet due"],
        ["Nhiệm vụ của đơn vị"],
    ),
    (
        "office",
        "tasks-import",
        ["Import the plan from Excel", "Upload the appendix file", "Preview"],
        ["Nhập kế hoạch từ Excel", "Tải tệp phụ lục lên", "Xem trước"],
    ),
    (
        "office",
        "reports-ranking",
        ["PAR Index ranking, 2022", "Unit name", "Index (%)", "Own organization"],
        ["Bảng xếp hạng Chỉ số CCHC năm 2022", "Tên đơn vị", "Là cơ quan"],
    ),
]


@pytest.fixture
def ranked(seed_plan: Plan) -> Plan:
    PeerRank.objects.create(
        year=2022,
        name=seed_plan.organization.name,
        index=80,
        rank=3,
        organization=seed_plan.organization,
    )
    PeerRank.objects.create(year=2022, name="Đơn vị thử A", index=90, rank=1)
    return seed_plan


def in_english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(("who", "name", "english", "vietnamese"), PAGES)
def test_with_the_english_cookie_each_main_page_is_in_english(
    request: pytest.FixtureRequest,
    ranked: Plan,
    who: str,
    name: str,
    english: list[str],
    vietnamese: list[str],
) -> None:
    client = in_english(client_for(request.getfixturevalue(who)))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in english:
        assert text in html
    for text in vietnamese:
        assert text not in html


@pytest.mark.parametrize(("who", "name", "english", "vietnamese"), PAGES)
def test_without_a_choice_each_main_page_is_in_vietnamese(
    request: pytest.FixtureRequest,
    ranked: Plan,
    who: str,
    name: str,
    english: list[str],
    vietnamese: list[str],
) -> None:
    client = client_for(request.getfixturevalue(who))
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi"
    html = response.content.decode()
    for text in vietnamese:
        assert text in html
    for text in english:
        assert text not in html


def test_an_edit_link_reads_edit_and_a_change_in_a_history_reads_changed() -> None:
    from django.utils import translation

    from parplan.history import KINDS

    with translation.override("en"):
        assert translation.gettext("Sửa") == "Edit"
        assert str(KINDS["~"]) == "Changed"
        assert str(KINDS["+"]) == "Created"


def test_the_people_page_names_roles_and_edit_links_in_english(
    ranked: Plan, office: User, head_office: User
) -> None:
    html = in_english(client_for(office)).get(reverse("tasks-users")).content.decode()
    assert "Department office" in html
    assert "Unit head" in html
    assert "Lãnh đạo phòng, đơn vị" not in html
    assert ">Edit<" in html


def test_role_names_are_translated_in_english() -> None:
    from django.utils import translation

    with translation.override("en"):
        assert [str(role.label) for role in Role] == [
            "Department office",
            "Unit head",
            "Department director",
            "Viewer",
        ]


def test_the_ranking_import_preview_is_in_english(
    ranked: Plan, office: User, settings: object, tmp_path: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_STAGING_DIR = str(tmp_path)
    client = in_english(client_for(office))
    upload = SimpleUploadedFile(
        "xh.csv", "Tên đơn vị;Chỉ số (%)\nĐơn vị X;88,5\n".encode()
    )
    response = client.post(
        reverse("reports-ranking-import"), {"year": "2022", "file": upload}
    )
    html = response.content.decode()
    assert "Ranking table preview" in html
    assert "Units to add: 1" in html
    assert "Units to remove: 2" in html
    assert "Confirm import" in html
    assert "computed" in html


def test_the_language_menu_switches_without_javascript(
    ranked: Plan, director: User
) -> None:
    client = client_for(director)
    page = unicodedata.normalize(
        "NFC", client.get(reverse("reports-dashboard")).content.decode()
    )
    menu = page[page.index('class="lang-form"') : page.index("</form>")]
    assert "onchange" not in menu
    # Each language named in itself; a plain <button> in a form submits it.
    assert '<button name="language" value="en" lang="en" class="link-button">' in menu
    assert 'value="vi" lang="vi" class="link-button" aria-pressed="true"' in menu
    assert ">English</button>" in menu and ">Tiếng Việt</button>" in menu

    response = client.post(
        "/i18n/setlang/",
        {"language": "en", "next": reverse("reports-dashboard")},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("reports-dashboard")
    assert response["Content-Language"] == "en"
    assert "Plan overview, 2023" in response.content.decode()
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    response = client.post(
        "/i18n/setlang/",
        {"language": "vi", "next": reverse("reports-dashboard")},
        follow=True,
    )
    assert "Tổng quan kế hoạch năm 2023" in response.content.decode()


# The catalogue ---------------------------------------------------------------------


@dataclass
class Entry:
    line: int
    flags: list[str] = field(default_factory=list)
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[str, str] = field(default_factory=dict)


def catalogue(path: Path) -> list[Entry]:
    """The entries of a .po file (header and obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    for number, block in _blocks(path.read_text(encoding="utf-8")):
        entry = Entry(line=number)
        key = None
        for line in block:
            if line.startswith("#,"):
                entry.flags += [f.strip() for f in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and key is not None:
                _append(entry, key, ast.literal_eval(line))
            else:
                key, _space, rest = line.partition(" ")
                _append(entry, key, ast.literal_eval(rest))
        if entry.msgid:
            entries.append(entry)
    return entries


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _append(entry: Entry, key: str, text: str) -> None:
    if key == "msgid":
        entry.msgid += text
    elif key == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif key == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    elif key.startswith("msgstr"):
        entry.msgstr[key] = entry.msgstr.get(key, "") + text


def problems_of(entries: list[Entry]) -> list[str]:
    found = []
    for e in entries:
        where = f"line {e.line}: {e.msgid!r}"
        if "fuzzy" in e.flags:
            found.append(f"{where} is fuzzy")
        if not e.msgstr or any(not text for text in e.msgstr.values()):
            found.append(f"{where} is untranslated")
        if e.msgid_plural is not None and len(e.msgstr) != 2:
            found.append(f"{where} needs a singular and a plural")
        wanted = _placeholders(e.msgid) | _placeholders(e.msgid_plural or "")
        for text in e.msgstr.values():
            if text and _placeholders(text) != wanted:
                found.append(f"{where} changes its placeholders to {text!r}")
    return found


_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%|\{\{ ?[a-z_.]+ ?\}\}")


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entry() -> None:
    entries = catalogue(PO)
    assert len(entries) > 400  # the parser read the whole file
    assert problems_of(entries) == []


def test_the_catalogue_checker_finds_an_untranslated_a_fuzzy_and_a_broken_entry(
    tmp_path: Path,
) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        'msgid "Năm"\nmsgstr "Year"\n\n'
        'msgid "Chưa dịch"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Mờ"\nmsgstr "Blurred"\n\n'
        '#, python-format\nmsgid "Dòng %(row)s"\nmsgstr "Row %(line)s"\n\n'
        'msgid "Một "\n"dòng"\nmsgid_plural "Nhiều dòng"\n'
        'msgstr[0] "One row"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    entries = catalogue(po)
    assert [e.msgid for e in entries] == [
        "Năm",
        "Chưa dịch",
        "Mờ",
        "Dòng %(row)s",
        "Một dòng",
    ]
    assert problems_of(entries) == [
        "line 8: 'Chưa dịch' is untranslated",
        "line 11: 'Mờ' is fuzzy",
        "line 15: 'Dòng %(row)s' changes its placeholders to 'Row %(line)s'",
        "line 19: 'Một dòng' is untranslated",
    ]


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in catalogue(PO):
        if e.msgctxt is not None:
            if compiled.pgettext(e.msgctxt, e.msgid) != e.msgstr["msgstr"]:
                stale.append(e.msgid)
        elif e.msgid_plural is None:
            if compiled.gettext(e.msgid) != e.msgstr["msgstr"]:
                stale.append(e.msgid)
        elif compiled.ngettext(e.msgid, e.msgid_plural, 2) != e.msgstr["msgstr[1]"]:
            stale.append(e.msgid)
    assert stale == [], "run: python manage.py compilemessages -l en"


def test_every_string_in_the_code_is_in_the_english_catalogue(tmp_path: Path) -> None:
    """Extract the strings afresh from a copy of the sources, as makemessages does,
    so a new string that nobody translated fails here."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        if os.environ.get("PARPLAN_REQUIRE_GETTEXT"):
            pytest.fail("gettext (xgettext, msgmerge) is required but missing")
        pytest.skip("gettext tools are not installed (apt-get install gettext)")
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "media", "tests")
    for name in (
        "criteria",
        "reports",
        "tasks",
        "parplan",
        "demo",
        "templates",
        "locale",
    ):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DJANGO_SETTINGS_MODULE"] = "parplan.settings"
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = catalogue(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert len(fresh) > 400
    assert problems_of(fresh) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_language_menu_works_in_a_real_browser(page: object, ranked: Plan) -> None:
    make_user("lanhdao", Role.DIRECTOR)
    browser_login(page, "lanhdao")
    page.goto(page.base_url + reverse("reports-dashboard"))
    assert page.locator("h1").first.inner_text() == "Tổng quan kế hoạch năm 2023"
    page.locator('.lang-form button[value="en"]').click()
    page.locator("h1", has_text="Plan overview, 2023").wait_for()
    assert page.url.endswith(reverse("reports-dashboard"))
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator('.lang-form button[value="vi"]').click()
    page.locator("h1", has_text="Tổng quan kế hoạch năm 2023").wait_for()
    assert page.locator("html").get_attribute("lang") == "vi"
