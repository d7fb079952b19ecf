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
