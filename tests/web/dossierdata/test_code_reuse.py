"""A dossier file's records are read on the map of their received dates: ``10`` (the old
Lào Cai) denotes no unit after 30 June 2025."""

from __future__ import annotations

import pytest

from dxscore.web.dossierdata.models import Job
from dxscore.web.dossierdata.worker import run_pending
from tests.web.support import reuse_code_15, upload_dossiers


@pytest.fixture(autouse=True)
def _store(settings, tmp_path):
    settings.DXSCORE_DOSSIER_STORE = tmp_path / "store"


def test_records_of_a_unit_that_had_ended_on_their_received_date_name_the_row(as_user, org, people):
    reuse_code_15(org)
    text = (
        "a1,10,P1,full,online,2025-06-20 08:00,2025-06-30,2025-06-25 10:00,finished\n"
        "a2,10,P1,full,online,2025-07-02 08:00,2025-07-10,2025-07-05 10:00,finished\n"
        "a3,15,P1,full,online,2025-07-03 08:00,2025-07-10,2025-07-05 10:00,finished\n"
    )
    upload_dossiers(as_user("admin"), text)
    run_pending()
    job = Job.objects.get(kind="import")
    assert job.state == "failed" and "nothing was stored" in job.error
    assert job.problems == [
        [
            "dossiers.csv, row 3, column unit",
            "'10' denotes no unit on the received date of 1 record (07/02/2025 to "
            "07/02/2025); it denotes Lào Cai (10) until 06/30/2025",
        ]
    ]


def test_records_on_the_map_of_their_dates_are_imported(as_user, org, people):
    reuse_code_15(org)
    text = (
        "a1,10,P1,full,online,2025-06-20 08:00,2025-06-30,2025-06-25 10:00,finished\n"
        "a3,15,P1,full,online,2025-07-03 08:00,2025-07-10,2025-07-05 10:00,finished\n"
    )
    upload_dossiers(as_user("admin"), text)
    run_pending()
    job = Job.objects.get(kind="import")
    assert job.state == "done", (job.error, job.problems)
