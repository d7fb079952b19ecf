"""Benchmark: many participants answering one contest round at the same time.

Makes a fresh workspace (``tests/live.py``'s ``LiveServer``: SQLite by default,
``--database-url`` for PostgreSQL) and ``dxscore serve`` (waitress) on a free port of
127.0.0.1, then a contest with one open round of ten questions and ``--participants``
confirmed citizens (made directly in the database, with the signed cookie a confirmed
code gives). Each participant is a thread with its own HTTP connection; all start
together and each opens the contest page, starts the round, loads the attempt page,
saves ten answers one by one (``POST .../answer``, each timed) and submits. A share of
them (``--late``) does not submit and tries once more after the round's closing time.

Afterwards the database is counted: every acknowledged answer must be stored exactly
once with the last choice acknowledged (none lost, none twice), every late answer must
have been refused (409), and no stored answer may be dated at or after the closing
time. Prints answer latency (median, p95, max), throughput and a Markdown row for
docs/benchmarks.md.

    .venv/bin/python benchmarks/bench_contest.py --participants 2000 --threads 8
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1]))  # the repository: tests.live
from tests.live import LiveServer  # noqa: E402

SLUG = "bench"
OPTION = re.compile(r'name="q(\d+)" value="(\d+)"')


def setup(participants: int, closes_in: float) -> dict:
    """Run in the server's environment: the contest, its round and the participants;
    returns their cookies and the closing time."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dxscore.web.settings")
    import datetime as dt

    import django

    django.setup()
    from django.core import signing
    from django.utils import timezone

    from dxscore.web.contests.models import Contest, Option, Participant, Question, Round
    from dxscore.web.contests.views.common import SALT, cookie_name
    from dxscore.web.orgs.models import Unit

    province = Unit.objects.get(code="27")
    districts = list(Unit.objects.filter(parent=province))
    contest = Contest.objects.create(
        slug=SLUG,
        title="Benchmark",
        organiser_unit=province,
        retention_until=timezone.localdate() + dt.timedelta(days=30),
    )
    for n in range(30):
        q = Question.objects.create(
            contest=contest, code=f"Q{n}", text=f"Câu hỏi {n} " * 5, category="dx"
        )
        Option.objects.bulk_create(
            Option(question=q, number=k, text=f"Phương án {k}", correct=k == 1) for k in range(1, 5)
        )
    now = timezone.now()
    closes = now + dt.timedelta(seconds=closes_in)
    Round.objects.create(
        contest=contest,
        number=1,
        opens_at=now - dt.timedelta(minutes=5),
        closes_at=closes,
        time_limit_seconds=7200,
        quotas=[{"count": 10}],
    )
    people = Participant.objects.bulk_create(
        Participant(
            contest=contest,
            type="citizen",
            identity=f"b{n}@example.vn",
            name=f"B{n}",
            unit=districts[n % len(districts)],
            confirmed_at=now,
        )
        for n in range(participants)
    )
    signer = signing.get_cookie_signer(salt=cookie_name(contest) + SALT)
    return {
        "cookie": cookie_name(contest),
        "people": [[p.pk, signer.sign(str(p.pk))] for p in people],
        "closes_at": closes.timestamp(),
    }


def count(pairs_file: str) -> dict:
    """Run in the server's environment: compare the stored answers with the ones the
    clients saw acknowledged."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dxscore.web.settings")
    import django

    django.setup()
    from django.db.models import Count, Max

    from dxscore.web.contests.models import Answer, Round

    acked = {(p, q): c for p, q, c in json.loads(Path(pairs_file).read_text())}
    r = Round.objects.get(contest__slug=SLUG)
    stored = {
        (p, q): c
        for p, q, c in Answer.objects.filter(attempt__round=r).values_list(
            "attempt__participant_id", "question_id", "chosen"
        )
    }
    twice = (
        Answer.objects.filter(attempt__round=r)
        .values("attempt", "question")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    lost = sum(1 for k in acked if k not in stored)
    changed = sum(1 for k, c in acked.items() if k in stored and stored[k] != c)
    last = Answer.objects.filter(attempt__round=r).aggregate(m=Max("answered_at"))["m"]
    return {
        "acked": len(acked),
        "stored": len(stored),
        "lost": lost,
        "twice": twice,
        "changed": changed,
        "unacked_stored": len(set(stored) - set(acked)),
        "last_answer_before_close": bool(last is None or last < r.closes_at),
    }


class Client:
    def __init__(self, port: int, cookie: str):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}
        self.cookies[cookie.split("=", 1)[0]] = cookie.split("=", 1)[1]
        self.csrf = ""

    def request(self, method: str, path: str, body: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            parts = []
            for k, v in body.items():
                for item in v if isinstance(v, list) else [v]:
                    parts.append(f"{k}={item}")
            data = "&".join(parts)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.csrf
            headers["Referer"] = "http://127.0.0.1/"
        try:
            self.c.request(method, path, body=data, headers=headers)
            answer = self.c.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # the server closed an idle connection (waitress's channel timeout): reopen
            self.c.close()
            self.c = http.client.HTTPConnection(self.c.host, self.c.port, timeout=120)
            self.c.request(method, path, body=data, headers=headers)
            answer = self.c.getresponse()
        content = answer.read()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                k, _eq, rest = value.partition("=")
                self.cookies[k] = rest.split(";", 1)[0]
                if k == "csrftoken":
                    self.csrf = self.cookies[k]
        return answer.status, answer.getheader("Location"), content


def participant(job: dict, person: list, late: bool, out: dict) -> None:
    rng = random.Random(person[0])
    client = Client(job["port"], f"{job['cookie']}={person[1]}")
    job["barrier"].wait()
    try:
        client.request("GET", f"/contests/{SLUG}/")
        status, where, _c = client.request("POST", f"/contests/{SLUG}/rounds/1/start", {})
        if status != 302 or "/a/" not in (where or ""):
            out["failures"].append(f"start {status} {where}")
            return
        base = where
        status, _w, page = client.request("GET", base)
        options: dict[str, list[str]] = {}
        for q, o in OPTION.findall(page.decode()):
            options.setdefault(q, []).append(o)
        if status != 200 or len(options) != 10:
            out["failures"].append(f"attempt page {status} {len(options)} questions")
            return
        for q, opts in options.items():
            choice = rng.choice(opts)
            t = time.perf_counter()
            status, _w, body = client.request(
                "POST", f"{base}answer", {"question": q, "option": choice}
            )
            elapsed = time.perf_counter() - t
            out["latencies"].append(elapsed)
            if status == 200:
                out["acked"].append([person[0], int(q), [int(choice)]])
            else:
                out["failures"].append(f"answer {status} {body[:120]!r}")
        if late:
            out["late_waiting"].append((client, base, next(iter(options)), options))
        else:
            status, _w, _b = client.request("POST", f"{base}submit", {})
            if status != 302:
                out["failures"].append(f"submit {status}")
    except Exception as exc:  # noqa: BLE001 - counted as a failure
        out["failures"].append(f"{type(exc).__name__}: {exc}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8, help="Server worker threads.")
    parser.add_argument("--late", type=float, default=0.05, help="Share answering late.")
    parser.add_argument("--closes-in", type=float, default=None, help="Seconds to closing.")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-contest-"))
    closes_in = args.closes_in or max(120.0, args.participants * 0.12)
    server = LiveServer(work / "home", args.database_url, args.threads)
    server.env.update(
        DXSCORE_SECRET_KEY=secrets.token_urlsafe(40),
        DXSCORE_CONTEST_IP_RATE="100000000/min",
        # this checkout's code, even where the installed package is another checkout's
        PYTHONPATH=os.pathsep.join([str(HERE.parents[1] / "src"), str(HERE.parents[1])]),
    )
    with server:
        made = subprocess.run(
            [sys.executable, str(HERE), "--setup", str(args.participants), str(closes_in)],
            env=server.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if made.returncode:
            raise RuntimeError(made.stderr[-3000:])
        info = json.loads(made.stdout.strip().splitlines()[-1])
        out = {"latencies": [], "acked": [], "failures": [], "late_waiting": []}
        job = {
            "port": server.port,
            "cookie": info["cookie"],
            "barrier": threading.Barrier(args.participants),
        }
        late_every = int(1 / args.late) if args.late else 0
        threads = [
            threading.Thread(
                target=participant,
                args=(job, p, bool(late_every) and n % late_every == 0, out),
                daemon=True,
            )
            for n, p in enumerate(info["people"])
        ]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - t0
        lat = sorted(out["latencies"])
        if lat:  # the main phase, before waiting for the closing time
            print(
                f"main phase: {len(lat)} answers in {seconds:.1f} s, median "
                f"{statistics.median(lat) * 1000:.0f} ms, p95 "
                f"{lat[round(0.95 * (len(lat) - 1))] * 1000:.0f} ms",
                flush=True,
            )
        wait = info["closes_at"] - time.time()
        closed_in_time = wait > 0
        time.sleep(max(0.0, wait) + 0.05)
        refused = accepted = 0
        for client, base, q, options in out["late_waiting"]:
            status, _w, _b = client.request(
                "POST", f"{base}answer", {"question": q, "option": options[q][0]}
            )
            refused += status == 409
            accepted += status == 200
        pairs = work / "acked.json"
        pairs.write_text(json.dumps(out["acked"]))
        counted = subprocess.run(
            [sys.executable, str(HERE), "--count", str(pairs)],
            env=server.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if counted.returncode:
            raise RuntimeError(counted.stderr[-3000:])
        tally = json.loads(counted.stdout.strip().splitlines()[-1])
    lat = sorted(out["latencies"])
    p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))] if lat else float("nan")
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{args.participants} participants, {len(lat)} answers in {seconds:.1f} s "
        f"({len(lat) / seconds:.0f} answers/s); failures {len(out['failures'])}"
    )
    for f in out["failures"][:10]:
        print("  ", f)
    print(
        f"answer latency median {statistics.median(lat) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms,"
        f" max {lat[-1] * 1000:.0f} ms"
    )
    print(f"counted: {tally}")
    print(
        f"late answers after closing: {refused} refused, {accepted} accepted "
        f"(the main phase ended {'before' if closed_in_time else 'AFTER'} closing)"
    )
    print(
        "\n| database | participants (threads) | answers | answers/s | median | p95 | max |"
        " lost / twice | late refused |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {engine} | {args.participants} ({args.threads} server threads) | {len(lat):,} | "
        f"{len(lat) / seconds:.0f} | {statistics.median(lat) * 1000:.0f} ms | {p95 * 1000:.0f} ms |"
        f" {lat[-1] * 1000:.0f} ms | {tally['lost']} / {tally['twice']} |"
        f" {refused}/{refused + accepted} |"
    )
    print(
        f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    ok = (
        not out["failures"]
        and tally["lost"] == 0
        and tally["twice"] == 0
        and tally["changed"] == 0
        and accepted == 0
        and tally["last_answer_before_close"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--setup"]:
        print(json.dumps(setup(int(sys.argv[2]), float(sys.argv[3]))))
    elif sys.argv[1:2] == ["--count"]:
        print(json.dumps(count(sys.argv[2])))
    else:
        sys.exit(main())
