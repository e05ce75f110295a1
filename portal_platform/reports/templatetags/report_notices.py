"""The yearly report's reminder on the back office's home (the admin's index of a portal)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from content.services.workflow import actor_roles
from portal_platform.reports import yearly
from tenants.context import on_console
from tenants.models import Portal

register = template.Library()


def notice_text(notice: yearly.DueNotice) -> str:
    values = {"year": notice.year, "due": f"{notice.due:%d/%m/%Y}", "days": notice.days}
    if notice.overdue:
        return (
            ngettext(
                "Overdue: the yearly report for %(year)s was due on %(due)s (%(days)s day ago) and has not been "
                "submitted to the provincial unit.",
                "Overdue: the yearly report for %(year)s was due on %(due)s (%(days)s days ago) and has not been "
                "submitted to the provincial unit.",
                notice.days,
            )
            % values
        )
    if notice.days == 0:
        return _("The yearly report for %(year)s is due today (%(due)s) and has not been submitted yet.") % values
    return (
        ngettext(
            "The yearly report for %(year)s is due in %(days)s day, on %(due)s, and has not been submitted yet.",
            "The yearly report for %(year)s is due in %(days)s days, on %(due)s, and has not been submitted yet.",
            notice.days,
        )
        % values
    )


@register.simple_tag(takes_context=True)
def yearly_report_notices(context: template.Context) -> list[dict[str, object]]:
    """The reminders for the signed-in member of this portal's staff (none on the console, none for an
    account without a role in the portal)."""
    request = context.get("request")
    if request is None or on_console():
        return []
    portal, user = getattr(request, "tenant", None), request.user
    if not isinstance(portal, Portal) or not isinstance(user, User) or yearly.report_access(actor_roles(user)) is None:
        return []
    return [
        {"notice": notice, "text": notice_text(notice)} for notice in yearly.yearly_report_due_notices(portal=portal)
    ]
