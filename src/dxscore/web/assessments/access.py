"""Who may do what with self-assessments and surveys (on top of ``orgs/scope.py``).

- A **respondent** has no account: the session holds the respondents it confirmed (by
  an e-mail code) and the anonymous sheets it started. A sheet is read and changed only
  from such a session, and changed only while it is a draft.
- **Staff** (every person with a role) read the figures of the units in their viewing
  scope; nobody reads another's answers in the site (administrators may, in Set-up).
- Managing questionnaires (opening one for a period) is set-up work (``scope.can_manage``).
"""

from __future__ import annotations

from dxscore.web.assessments.models import Sheet
from dxscore.web.orgs import scope

RESPONDENTS = "assess_respondents"
SHEETS = "assess_sheets"


def respondents(request) -> list[int]:
    return list(request.session.get(RESPONDENTS, []))


def remember_respondent(request, pk: int) -> None:
    request.session[RESPONDENTS] = sorted({*respondents(request), pk})


def remember_sheet(request, pk: int) -> None:
    request.session[SHEETS] = sorted({*request.session.get(SHEETS, []), pk})


def owns(request, sheet: Sheet) -> bool:
    if sheet.respondent_id is not None:
        return sheet.respondent_id in respondents(request)
    return sheet.pk in request.session.get(SHEETS, [])


def can_edit(request, sheet: Sheet) -> bool:
    return owns(request, sheet) and sheet.editable


def is_staff(user) -> bool:
    return scope.role_of(user) is not None


def can_manage(user) -> bool:
    return scope.can_manage(user)
