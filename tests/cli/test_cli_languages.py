"""``dxscore --lang`` (or ``DXSCORE_LANGUAGE``) shows the methodology files' names and
titles in that language; a language the platform does not speak is refused."""

from __future__ import annotations

from typer.testing import CliRunner

from dxscore import texts
from dxscore.cli import app


def test_names_and_titles_in_the_language_asked():
    runner = CliRunner()
    before = texts.language_source()
    shown = runner.invoke(app, ["--lang", "vi", "index", "doc", "vn-dti-2022"])
    assert shown.exit_code == 0, shown.output
    assert "| Nhận thức số |" in shown.output and "Chính quyền số" in shown.output
    assert texts.language_source() is before  # the language was for that command only
    listed = runner.invoke(app, ["index", "list"], env={"DXSCORE_LANGUAGE": "hi"})
    assert "वियतनाम" in listed.output
    english = runner.invoke(app, ["index", "doc", "vn-dti-2022"])
    assert "| Digital awareness (Nhận thức số) |" in english.output


def test_an_unknown_language_is_refused():
    refused = CliRunner().invoke(app, ["--lang", "xx", "index", "list"])
    assert refused.exit_code == 2 and "xx" in refused.output
