"""The listing of built-ins, read without compiling, says what the compiled ones say."""

from dxscore import index as ix
from dxscore.index.catalogue import builtin_summaries


def test_every_builtin_summary_equals_its_compiled_methodology():
    summaries = builtin_summaries()
    assert [s.id for s in summaries] == ix.builtin_ids()
    for s in summaries:
        m = ix.load(s.id)
        assert (s.id, s.version, s.title, s.scale) == (m.id, m.version, m.title, m.scale)
        assert s.indicators == len(m.indicators), s.id


def test_side_nodes_and_references_are_not_counted_twice(tmp_path, monkeypatch):
    text = (
        "id: t\nversion: 2022.1\ntitle: T\nscale: [0, 1]\n"
        "tree: {children: [{code: a}, {code: B, children: [{code: b1}, {code: b2}]}]}\n"
        "nodes: [{code: V, children: [a, b1]}]\n"
    )
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr("dxscore.index.catalogue.BUILTIN_DIR", tmp_path)
    (s,) = builtin_summaries()
    m = ix.loads(text)
    assert s.indicators == len(m.indicators) == 3
    assert (s.version, s.scale) == (m.version, m.scale) == ("2022.1", (0.0, 1.0))
