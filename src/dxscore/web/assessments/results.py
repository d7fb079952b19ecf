"""What a respondent reads: the form of a sheet, and the result (level per pillar against
the sector's and the province's distribution, recommendations for the weakest pillars)
as a page and an A4 PDF (WeasyPrint with the reports' fetcher: fonts only), and how the
score is computed (:func:`explanation`, the page's table and its downloads)."""

from __future__ import annotations

import math

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dxscore import assessments as qa
from dxscore.web.assessments import figures
from dxscore.web.assessments.models import Figure, Sheet
from dxscore.web.assessments.selectors import shown
from dxscore.web.dashboards.tables import POINTS, RATE, SCORE, Column, Table


def form_context(sheet: Sheet, q: qa.Questionnaire, answers: dict, problems: dict) -> dict:
    lang = get_language()
    shown = set(qa.visible(q, answers))
    sections = []
    for s in q.spec.sections:
        items = []
        for question in q.section_questions(s.code):
            spec = question.spec
            answer = answers.get(question.code)
            options = [
                (
                    o.code,
                    o.text.get(lang),
                    (o.code in answer) if isinstance(answer, list) else o.code == answer,
                )
                for o in spec.options
            ]
            scale = []
            if spec.type == "scale":
                scale = [(v, str(v) == str(answer)) for v in question.scale_values()]
            cond = spec.show_if
            items.append(
                {
                    "code": question.code,
                    "type": spec.type,
                    "text": spec.text.get(lang),
                    "help": spec.help.get(lang) if spec.help else "",
                    "required": spec.required,
                    "options": options,
                    "scale": scale,
                    "low": spec.low.get(lang) if spec.low else "",
                    "high": spec.high.get(lang) if spec.high else "",
                    "answer": "" if answer is None or isinstance(answer, list) else answer,
                    "min": spec.min,
                    "max": spec.max,
                    "max_length": spec.max_length,
                    "hidden": question.code not in shown,
                    "show_if": cond.question if cond else "",
                    "show_in": " ".join(cond.in_ or []) if cond else "",
                    "show_at_least": "" if not cond or cond.at_least is None else cond.at_least,
                    "problem": problems.get(question.code, ""),
                }
            )
        sections.append({"title": s.title.get(lang), "questions": items})
    return {
        "sheet": sheet,
        "title": q.spec.title.get(lang),
        "sections": sections,
        "problems": problems,
    }


def _province(sheet: Sheet):
    if sheet.commune is None:
        return None
    ancestors = list(sheet.commune.ancestors().order_by("path"))
    if not ancestors:
        return sheet.commune
    return ancestors[1] if len(ancestors) > 1 else ancestors[0]


def _distribution(sheet: Sheet, unit, dimension: str, group: str, q) -> dict | None:
    if unit is None:
        return None
    rows = {
        f.measure: f
        for f in Figure.objects.filter(
            series=sheet.series, period=sheet.period, unit=unit, dimension=dimension, group=group
        )
    }
    if "responses" not in rows:
        return None
    return {
        "count": rows["responses"].count,
        "suppressed": rows.get("score") is not None and rows["score"].suppressed,
        "score": rows.get("score"),
        "pillars": {p: rows.get(p) for p in q.pillars},
        "levels": [(lv, rows.get(f"share_{lv}")) for lv in q.levels],
    }


def context(sheet: Sheet, lang: str) -> dict:
    q = sheet.questionnaire.compiled()
    figures.ensure_fresh(sheet.series, sheet.period)
    province = _province(sheet)
    province_figures = _distribution(sheet, province, "all", "", q)
    sector_figures = (
        _distribution(sheet, province, "sector", sheet.sector, q) if sheet.sector else None
    )
    pillars = []
    for p in q.spec.pillars:
        score = float(sheet.pillars.get(p.code, 0.0))
        level = str(qa.levels_of(q, [score])[0])
        pillars.append(
            {
                "code": p.code,
                "name": p.name.get(lang),
                "score": score,
                "level": q.level(level).name.get(lang),
                "province": (province_figures or {}).get("pillars", {}).get(p.code),
                "sector": (sector_figures or {}).get("pillars", {}).get(p.code),
            }
        )
    levels = []
    for lv in q.spec.levels:
        share = dict((province_figures or {}).get("levels", [])).get(lv.code)
        sector_share = dict((sector_figures or {}).get("levels", [])).get(lv.code)
        levels.append(
            {
                "code": lv.code,
                "name": lv.name.get(lang),
                "mine": lv.code == sheet.level,
                "province": share,
                "sector": sector_share,
            }
        )
    recs = qa.recommendations(q, {k: float(v) for k, v in sheet.pillars.items()}, lang)
    return {
        "sheet": sheet,
        "title": q.spec.title.get(lang),
        "level": q.level(sheet.level).name.get(lang) if sheet.level else "",
        "pillars": pillars,
        "levels": levels,
        "province": province,
        "province_figures": province_figures,
        "sector_figures": sector_figures,
        "sector_name": sheet.respondent.get_sector_display() if sheet.respondent else "",
        "recommendations": [(q.pillar(r.pillar).name.get(lang), r.text) for r in recs],
        "business": sheet.respondent_id is not None,
    }


def _result_meta(ctx: dict) -> dict:
    sheet = ctx["sheet"]
    province = ctx["province"]
    return {
        "questionnaire": sheet.questionnaire.code,
        "version": sheet.questionnaire.version,
        "period": sheet.period.code,
        "sheet": sheet.pk,
        "score": sheet.score,
        "level": sheet.level,
        "province": province.code if province is not None else None,
        "province_sheets": (ctx["province_figures"] or {}).get("count"),
        "sector": sheet.sector or None,
        "sector_sheets": (ctx["sector_figures"] or {}).get("count"),
        "min_count": settings.DXSCORE_SURVEY_MIN_COUNT,
    }


def pillars_table(ctx: dict) -> Table:
    """The result page's pillars (of :func:`context`): the sheet's score and level, the
    mean of the sheet's sector and of the province (none where the page shows "–":
    suppressed, fewer sheets than the minimum)."""
    sheet = ctx["sheet"]
    rows = [
        {
            "code": p["code"],
            "name": p["name"],
            "score": p["score"],
            "level": p["level"],
            "sector": shown(p["sector"]),
            "province": shown(p["province"]),
        }
        for p in ctx["pillars"]
    ]
    return Table(
        name=f"result-{sheet.series}-{sheet.period.code}-{sheet.pk}",
        title=f"{ctx['title']} · {sheet.period.code}",
        columns=[
            Column("code", _("Code")),
            Column("name", _("Pillar")),
            Column("score", _("Your score"), SCORE),
            Column("level", _("Your level")),
            Column("sector", _("Your sector"), SCORE),
            Column("province", _("Province"), SCORE),
        ],
        rows=rows,
        meta=_result_meta(ctx),
    )


def levels_table(ctx: dict) -> Table:
    """The result page's levels of the respondents: each level's share in the sheet's
    sector and in the province (none where the page shows "–")."""
    sheet = ctx["sheet"]
    rows = [
        {
            "code": lv["code"],
            "name": lv["name"],
            "sector": shown(lv["sector"]),
            "province": shown(lv["province"]),
        }
        for lv in ctx["levels"]
    ]
    return Table(
        name=f"levels-{sheet.series}-{sheet.period.code}-{sheet.pk}",
        title=f"{ctx['title']} · {sheet.period.code}",
        columns=[
            Column("code", _("Code")),
            Column("name", _("Level")),
            Column("sector", _("Your sector"), RATE),
            Column("province", _("Province"), RATE),
        ],
        rows=rows,
        meta=_result_meta(ctx),
    )


def pdf(request, sheet: Sheet) -> bytes:
    from weasyprint import HTML

    from dxscore.web.dashboards.reports import chart_fetcher, font_dir

    ctx = context(sheet, get_language())
    ctx.update(pdf=True, font_dir=font_dir().as_uri())
    html = render_to_string("assessments/result_pdf.html", ctx, request=request)
    base_url = request.build_absolute_uri("/")
    return HTML(string=html, base_url=base_url, url_fetcher=chart_fetcher({})).write_pdf()


def _plain(value):
    """A cell of the engine's explanation as Python keeps it: ``None`` for NaN, numpy
    scalars as Python numbers (stored precision)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def explanation(sheet: Sheet, lang: str) -> Table:
    """The page "How the score is computed": every node of the sheet's scoring, top-down
    (the index, each pillar, each question that applies), with the points earned (a
    question's raw value, a pillar's points), the maximum, the score (0-100) and the
    contribution to the score of the node above."""
    q = sheet.questionnaire.compiled()
    frame = qa.explain(q, sheet.answers, lang)
    rows = []
    for record in frame.to_dict("records"):
        r = {k: _plain(v) for k, v in record.items()}
        r["points"] = r["raw"] if r["kind"] == "indicator" else r["points"]
        rows.append(r)
    return Table(
        name=f"explanation-{sheet.series}-{sheet.period.code}-{sheet.pk}",
        title=f"{q.spec.title.get(lang)} · {sheet.period.code}",
        columns=[
            Column("node", _("Code")),
            Column("name", _("Item")),
            Column("parent", _("Part of")),
            Column("points", _("Points"), POINTS),
            Column("max_points", _("Maximum"), POINTS),
            Column("score", _("Score"), SCORE),
            Column("contribution", _("Contribution"), SCORE),
        ],
        rows=rows,
        meta={
            "questionnaire": sheet.questionnaire.code,
            "version": sheet.questionnaire.version,
            "period": sheet.period.code,
            "sheet": sheet.pk,
            "state": sheet.state,
            "score": sheet.score,
            "level": sheet.level,
        },
    )
