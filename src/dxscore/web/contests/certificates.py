"""Certificates as PDF, made as the scorecards are (``dashboards/reports.py``):
WeasyPrint with the reports' URL fetcher, which reads the bundled fonts and nothing
else, so no text a participant typed can make the PDF read a file or call out."""

from __future__ import annotations

from django.template.loader import render_to_string

from dxscore.web.dashboards.reports import chart_fetcher, font_dir


def certificate_html(request, contest, round_, row) -> str:
    return render_to_string(
        "contests/certificate_pdf.html",
        {"contest": contest, "round": round_, "row": row, "font_dir": font_dir().as_uri()},
        request=request,
    )


def certificate_pdf(request, contest, round_, row) -> bytes:
    from weasyprint import HTML

    html = certificate_html(request, contest, round_, row)
    base_url = request.build_absolute_uri("/")
    return HTML(string=html, base_url=base_url, url_fetcher=chart_fetcher({})).write_pdf()
