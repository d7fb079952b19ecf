"""Who may do what with dossier data: one home for the rule the pages and the menu read."""

from __future__ import annotations

from dxscore.web.orgs import scope


def may_upload(user) -> bool:
    """Anyone who enters values for some unit may upload that unit's dossier records."""
    return scope.scope_root(user, scope.ENTER) is not None


def may_open_jobs(user) -> bool:
    """The dossier data page: uploaders see their jobs, managers every job."""
    return user.is_authenticated and (may_upload(user) or scope.can_manage(user))


def may_view_measures(user, unit) -> bool:
    """A unit's dossier measures and data quality (the public-service pages): people with
    a role whose viewing scope covers the unit."""
    return scope.role_of(user) is not None and scope.allows(user, scope.VIEW, unit)
