"""The worker's measures job on Spark (``DXSCORE_DOSSIER_ENGINE=spark``, local mode)
stores the same measures and data quality as on DuckDB."""

from __future__ import annotations

import pytest

from dxscore.web.dossierdata.models import DossierMeasure, DossierQuality, Job, ProcedureMeasure
from dxscore.web.dossierdata.worker import run_pending
from tests.web.support import D256, D257, upload_dossiers

WARNED = "w1,256,P1,full,online,2024-07-10 08:00,2024-07-20,2024-07-08 10:00,finished\n"


def _stored():
    measures = {(m.unit_id, m.period, m.measure): m.value for m in DossierMeasure.objects.all()}
    procedures = sorted(
        ProcedureMeasure.objects.values_list("unit_id", "procedure", "period", "received")
    )
    quality = sorted(
        DossierQuality.objects.values_list("unit_id", "period", "records", "with_warnings")
    )
    return measures, procedures, quality


@pytest.mark.slow
def test_the_measures_job_on_spark_stores_what_duckdb_stores(
    as_user, org, people, settings, tmp_path
):
    pytest.importorskip("pyspark")
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "store"
    upload_dossiers(as_user("admin"), D256 + D257 + WARNED)
    run_pending()  # the import, then the measures on DuckDB (the default)
    assert Job.objects.filter(kind="measures", state="done").count() == 1
    on_duckdb = _stored()
    settings.DXSCORE_DOSSIER_ENGINE = "spark"
    settings.DXSCORE_SPARK_MASTER = "local[1]"
    Job.objects.create(kind="measures", created_by=people["admin"])
    from pyspark.sql import SparkSession

    before = SparkSession.getActiveSession()  # another test's session: left running
    try:
        run_pending()
    finally:
        active = SparkSession.getActiveSession()
        if before is None and active is not None:
            active.stop()
    job = Job.objects.filter(kind="measures").first()
    assert job.state == "done", job.error
    measures, procedures, quality = _stored()
    assert procedures == on_duckdb[1] and quality == on_duckdb[2]
    assert measures.keys() == on_duckdb[0].keys()
    for key, value in on_duckdb[0].items():
        assert measures[key] == pytest.approx(value, nan_ok=True), key
