"""Synthetic self-assessments and satisfaction ratings of Lạng Sơn (demo only).

About a thousand businesses (synthetic tax codes beginning ``49``, Lạng Sơn's prefix;
names ``Doanh nghiệp mẫu ...``) across sectors, sizes and the demo communes, with the
built-in self-assessment answered for 2024 and 2025 (most, not all, every year: the
response rates are below 100%), businesses maturing a little between the years; and
satisfaction ratings of demo dossiers (by their codes, linked to their unit and
procedure) for 2024Q3 and 2024Q4. Answers are drawn around a latent maturity per
business; every sheet is scored by the engine in one batch and stored with bulk
inserts, then the figures are computed."""

from __future__ import annotations

import numpy as np

BUSINESSES = 1000
SECTORS = {
    "agriculture": 0.14,
    "manufacturing": 0.12,
    "construction": 0.14,
    "trade": 0.30,
    "transport": 0.08,
    "tourism": 0.10,
    "ict": 0.03,
    "finance": 0.02,
    "other": 0.07,
}
SIZES = {"micro": 0.68, "small": 0.24, "medium": 0.06, "large": 0.02}
YEARS = ("2024", "2025")
QUARTERS = ("2024Q3", "2024Q4")
RATINGS = 600


def _answer(question, m: float, rng: np.random.Generator):
    """An answer drawn for a business of maturity ``m`` (0-1)."""
    spec = question.spec
    t = spec.type
    if t == "text":
        return None
    if t == "yesno":
        return "yes" if rng.random() < 0.15 + 0.8 * m else "no"
    if t == "single":
        n = len(spec.options)
        at = int(np.clip(round(m * (n - 1) + rng.normal(0, 0.7)), 0, n - 1))
        return spec.options[at].code
    if t == "multiple":
        chosen = [o.code for o in spec.options if rng.random() < 0.1 + 0.8 * m]
        return chosen or None
    if t == "scale":
        low, high = int(spec.min), int(spec.max)
        return int(np.clip(round(low + m * (high - low) + rng.normal(0, 0.8)), low, high))
    if t == "number":
        return float(np.clip(round(rng.gamma(1 + 4 * m, 6)), spec.min or 0, spec.max or 100))
    return None


def _sheet_answers(q, m: float, rng) -> dict:
    from dxscore import assessments as qa

    raw = {code: _answer(question, m, rng) for code, question in q.questions.items()}
    return qa.clean(q, {k: v for k, v in raw.items() if v is not None}, complete=False)[0]


def load(seed: int = 23) -> dict[str, int]:
    """Store the demo respondents and sheets once; counts stored."""
    from django.db import transaction
    from django.utils import timezone

    from dxscore import assessments as qa
    from dxscore.web.assessments import figures, work
    from dxscore.web.assessments.models import Questionnaire, Respondent, Sheet, SheetState
    from dxscore.web.data.models import Period
    from dxscore.web.orgs.models import Unit

    work.ensure_builtins()
    if Respondent.objects.filter(tax_code__startswith="49").exists():
        return {"businesses": 0, "sheets": 0, "ratings": 0}
    rng = np.random.default_rng(seed)
    # Lạng Sơn's communes on the current map: since the 2025 reform they carry national
    # codes (not "20-..."), so they are found by the province they lie in
    province = Unit.objects.in_force(timezone.localdate()).filter(code="20").first()
    if province is None:
        return {"businesses": 0, "sheets": 0, "ratings": 0}
    inside = work.communes().filter(path__startswith=province.path).exclude(pk=province.pk)
    communes = list(inside.values_list("pk", flat=True))
    if not communes:
        return {"businesses": 0, "sheets": 0, "ratings": 0}
    dbi = Questionnaire.objects.get(code="dbi-business", active=True)
    q = dbi.compiled()
    sectors = rng.choice(list(SECTORS), BUSINESSES, p=list(SECTORS.values()))
    sizes = rng.choice(list(SIZES), BUSINESSES, p=list(SIZES.values()))
    size_boost = {"micro": 0.0, "small": 0.08, "medium": 0.15, "large": 0.25}
    codes = rng.choice(10**8, BUSINESSES, replace=False)
    now = timezone.now()
    with transaction.atomic():
        people = Respondent.objects.bulk_create(
            [
                Respondent(
                    kind="business",
                    tax_code=f"49{codes[i]:08d}",
                    name=f"Doanh nghiệp mẫu {i + 1:04d} (synthetic)",
                    sector=str(sectors[i]),
                    size=str(sizes[i]),
                    commune_id=int(communes[rng.integers(len(communes))]),
                    email=f"dn{i + 1:04d}@example.invalid",
                )
                for i in range(BUSINESSES)
            ]
        )
        maturity = np.clip(
            rng.beta(2, 3.2, BUSINESSES) + np.array([size_boost[s] for s in sizes]), 0, 1
        )
        stored = 0
        for year_index, year in enumerate(YEARS):
            period = Period.objects.get_or_create(code=year)[0]
            answered = np.flatnonzero(rng.random(BUSINESSES) < (0.78 + 0.07 * year_index))
            answers = [
                _sheet_answers(q, float(min(1, maturity[i] + 0.06 * year_index)), rng)
                for i in answered
            ]
            scores = qa.score_sheets(q, [str(i) for i in answered], answers, year)
            batch = []
            for j, i in enumerate(answered):
                r = people[i]
                batch.append(
                    Sheet(
                        questionnaire=dbi,
                        series=dbi.code,
                        period=period,
                        respondent=r,
                        commune_id=r.commune_id,
                        sector=r.sector,
                        size=r.size,
                        answers=answers[j],
                        state=SheetState.SUBMITTED,
                        score=float(scores.index[j]),
                        level=str(scores.levels[j]),
                        pillars={p: float(v[j]) for p, v in scores.pillars.items()},
                        submitted_at=now,
                    )
                )
            Sheet.objects.bulk_create(batch, batch_size=1000)
            stored += len(batch)
            work.mark_stale(dbi.code, period.pk)
        work.open_period(dbi, YEARS[-1])
        ratings = _ratings(rng)
    for year in YEARS:
        figures.refresh(dbi.code, Period.objects.get(code=year))
    for quarter in QUARTERS:
        if (period := Period.objects.filter(code=quarter).first()) is not None:
            figures.refresh("satisfaction", period)
    return {"businesses": len(people), "sheets": stored, "ratings": ratings}


def _ratings(rng) -> int:
    """Satisfaction ratings of demo dossiers, linked to their unit and procedure."""
    import duckdb
    from django.utils import timezone

    from dxscore import assessments as qa
    from dxscore.web.assessments import work
    from dxscore.web.assessments.models import Questionnaire, Sheet, SheetState
    from dxscore.web.data.models import Period
    from dxscore.web.dossierdata import worker
    from dxscore.web.orgs.models import Unit

    sat = Questionnaire.objects.get(code="satisfaction", active=True)
    q = sat.compiled()
    from dxscore.dossiers import StoreError

    try:
        parts = [str(p) for p in worker.open_store().parts()]
    except (StoreError, OSError):  # no dossier store: no ratings
        parts = []
    if not parts:
        work.open_period(sat, QUARTERS[-1])
        return 0
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT unit, dossier_id, procedure, quarter(finished_at) AS qu,"
            " channel = 'online' FROM read_parquet(?)"
            " WHERE finished_at >= '2024-07-01' AND finished_at < '2025-01-01'"
            f" USING SAMPLE reservoir({RATINGS} ROWS) REPEATABLE (7)",
            [parts],
        ).fetchall()
    units = dict(Unit.objects.filter(code__startswith="20").values_list("code", "pk"))
    periods = {f"2024Q{n}": Period.objects.get_or_create(code=f"2024Q{n}")[0] for n in (3, 4)}
    answers, keep = [], []
    for unit, dossier, procedure, quarter, online in rows:
        if unit not in units:
            continue
        mood = float(np.clip(rng.normal(0.72, 0.2), 0, 1))
        raw = {
            code: int(np.clip(round(1 + 4 * mood + rng.normal(0, 0.6)), 1, 5))
            for code in ("r_access", "r_procedure", "r_staff", "r_result", "r_online_ease")
        }
        raw["r_online"] = "yes" if online else "no"
        answers.append(qa.clean(q, raw, complete=False)[0])
        keep.append((units[unit], str(dossier), str(procedure), periods[f"2024Q{quarter}"]))
    if not keep:
        return 0
    scores = qa.score_sheets(q, [str(i) for i in range(len(keep))], answers)
    now = timezone.now()
    Sheet.objects.bulk_create(
        [
            Sheet(
                questionnaire=sat,
                series=sat.code,
                period=period,
                dossier_code=dossier,
                dossier_unit_id=unit,
                procedure=procedure,
                commune_id=unit,
                answers=answers[j],
                state=SheetState.SUBMITTED,
                score=float(scores.index[j]),
                level=str(scores.levels[j]),
                pillars={p: float(v[j]) for p, v in scores.pillars.items()},
                submitted_at=now,
            )
            for j, (unit, dossier, procedure, period) in enumerate(keep)
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    for period in periods.values():
        work.mark_stale(sat.code, period.pk)
    work.open_period(sat, QUARTERS[-1])
    return len(keep)
