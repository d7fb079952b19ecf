"""``{% demo_notice obj %}``: the demo-data notice of a run, resolution, target or task
(nothing for real data); see ``dxscore.web.provenance.notices``."""

from django import template

from dxscore.web.provenance.notices import notice_for

register = template.Library()


@register.inclusion_tag("dxscore/_demo_notice.html")
def demo_notice(obj):
    return {"notice": notice_for(obj)}
