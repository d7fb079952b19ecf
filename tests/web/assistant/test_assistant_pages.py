import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from dxscore.cli import app
from dxscore.web.assistant import library as lib


@pytest.fixture
def store(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("DXSCORE_ASSISTANT_EMBEDDINGS", "none")
    settings.DXSCORE_ASSISTANT_STORE = tmp_path / "assistant"
    cat = tmp_path / "cat.csv"
    cat.write_text(
        "code,name,agency,fee\n1.1,Đăng ký khai sinh,UBND cấp xã,Miễn lệ phí\n", encoding="utf-8"
    )
    note = tmp_path / "1.1-noi-bo.txt"
    note.write_text("GHI CHÚ NỘI BỘ\nTrẻ sinh tại trạm xá Quế Võ cần xác nhận riêng.\n")
    runner = CliRunner()
    store = str(settings.DXSCORE_ASSISTANT_STORE)
    assert runner.invoke(app, ["assistant", "import", str(cat), "--store", store]).exit_code == 0
    r = runner.invoke(app, ["assistant", "import", str(note), "--store", store, "--scope", "256"])
    assert r.exit_code == 0, r.output
    lib.forget()
    return store


def test_cli_json_shape(store, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text("dang ky khai sinh\ncách nấu phở bò\n")
    r = CliRunner().invoke(
        app, ["assistant", "ask", "--store", store, "--json", "--questions", str(questions)]
    )
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["question"] for x in lines] == ["dang ky khai sinh", "cách nấu phở bò"]
    assert lines[0]["found"] is True and lines[1]["found"] is False
    first = lines[0]["answers"][0]
    assert first["procedure"] == "1.1" and first["title"] == "Đăng ký khai sinh"
    assert 0 <= first["score"] <= 1 and first["passage"]


@pytest.mark.parametrize("who, sees", [("owner", True), ("colleague", True), ("outsider", False)])
def test_internal_document_only_in_its_scope(store, as_user, who, sees):
    client = as_user(who)
    page = client.get(
        "/assistant/", {"q": "đăng ký khai sinh trẻ sinh tại trạm xá Quế Võ cần xác nhận riêng"}
    ).content.decode()
    assert ("1.1-noi-bo.txt" in page) is sees  # the citation of the internal note
    proc = client.get("/assistant/procedures/1.1/").content.decode()
    assert ("1.1-noi-bo.txt" in proc) is sees


def test_library_page_for_managers_only(store, as_user):
    assert as_user("owner").get("/assistant/library/").status_code == 403
    assert as_user("steering").get("/assistant/library/").status_code == 200


def test_a_declined_question_is_kept_once_however_often_the_page_shows_it(store, as_user):
    """The feedback's redirect, the language selector and a reload show the answer page
    again: the declined question is kept once (per session), not once per display."""
    from dxscore.web.assistant.models import Asked

    client = as_user("owner")
    client.get("/assistant/", {"q": "cách nấu phở bò"})
    r = client.post(
        "/assistant/feedback/", {"question": "cách nấu phở bò", "procedure": "", "helpful": "0"}
    )
    client.get(r["Location"])
    client.get("/assistant/", {"q": "cách nấu phở bò"})
    assert list(Asked.objects.values_list("question", flat=True)) == ["cách nấu phở bò"]
    client.get("/assistant/", {"q": "giá vé xe buýt"})  # another question is kept too
    assert Asked.objects.count() == 2
    # another person asking the same question is a new signal for the administrators
    as_user("colleague").get("/assistant/", {"q": "cách nấu phở bò"})
    assert Asked.objects.filter(question="cách nấu phở bò").count() == 2


def test_the_session_cannot_be_tied_to_a_kept_question(store, people, settings):
    """The session's mark of a declined question is keyed by the site's secret and the
    session: the kept row's text, hashed as anybody could, matches nothing in any
    session, and two sessions asking the same question hold different marks."""
    import hashlib

    from django.contrib.sessions.models import Session
    from django.test import Client

    from dxscore.assistant import text

    question = "cách nấu phở bò"
    owner, colleague = Client(), Client()
    owner.force_login(people["owner"])
    colleague.force_login(people["colleague"])
    owner.get("/assistant/", {"q": question})
    colleague.get("/assistant/", {"q": question})
    folded = " ".join(text.syllables(question))
    plain = hashlib.sha256(folded.encode()).hexdigest()
    marks = []
    for row in Session.objects.all():
        data = row.get_decoded()
        stored = data.get("assistant_declined", [])
        assert not any(plain.startswith(m) or m in plain for m in stored)
        assert question not in str(data) and folded not in str(data)
        marks += stored
    assert len(marks) == 2 and marks[0] != marks[1]
    # the mark is the HMAC of session key and question under a key from SECRET_KEY
    from django.utils.crypto import salted_hmac

    key = owner.session.session_key
    want = salted_hmac(
        "dxscore.assistant.declined", f"{key}:{folded}", algorithm="sha256"
    ).hexdigest()[:32]
    assert owner.session["assistant_declined"] == [want]
    settings.SECRET_KEY = "another secret of at least fifty characters for this test only!"
    other = salted_hmac(
        "dxscore.assistant.declined", f"{key}:{folded}", algorithm="sha256"
    ).hexdigest()[:32]
    assert other != want


def test_kept_questions_and_feedback_in_the_admin(store, as_user):
    from dxscore.web.assistant.models import Asked, Feedback

    asked = Asked.objects.create(question="cách nấu phở bò")
    Feedback.objects.create(question="đăng ký khai sinh", procedure="1.1", helpful=True)
    client = as_user("admin")
    page = client.get("/admin/assistant/asked/").content.decode()
    assert "cách nấu phở bò" in page
    assert "đăng ký khai sinh" in client.get("/admin/assistant/feedback/").content.decode()
    assert client.get("/admin/assistant/asked/add/").status_code == 403
    # deletable (a question may hold personal data), not changeable
    assert client.get(f"/admin/assistant/asked/{asked.pk}/delete/").status_code == 200
    assert as_user("steering").get("/admin/assistant/asked/").status_code == 302  # not staff


def _aged(model, days, **fields):
    from django.utils import timezone

    row = model.objects.create(**fields)
    model.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    return row


def test_kept_questions_are_removed_after_the_retention_period(
    store, settings, as_user, monkeypatch, tmp_path
):
    from dxscore.web.assistant.models import Asked, Feedback

    monkeypatch.setenv("DXSCORE_HOME", str(tmp_path / "home"))

    settings.DXSCORE_ASSISTANT_KEEP_DAYS = 30
    _aged(Asked, 31, question="Nguyễn Văn A ở thôn Nà Sầm hỏi")
    _aged(Feedback, 45, question="chị Lan hỏi", procedure="1.1", helpful=False)
    recent = _aged(Asked, 29, question="còn giữ")
    # the site removes what is too old whenever it stores a new question
    as_user("owner").get("/assistant/", {"q": "cách nấu phở bò"})
    assert sorted(Asked.objects.values_list("question", flat=True)) == [
        "cách nấu phở bò",
        "còn giữ",
    ]
    assert not Feedback.objects.exists()
    # and the command, run daily, with its own period
    r = CliRunner().invoke(app, ["assistant", "purge", "--days", "1"])
    assert r.exit_code == 0, r.output
    assert "1 declined question(s) and 0 feedback row(s)" in r.output
    assert not Asked.objects.filter(pk=recent.pk).exists()
    assert Asked.objects.filter(question="cách nấu phở bò").exists()
