"""Incidents and security risks a portal reports to the provincial unit (Decision 80/2025 Đ15.6).

A portal's admin files one from the back office; while it is not closed, the portal completes it
(above all: when the portal came back, ``ended_at``; the impact and the actions taken); the
provincial unit acknowledges it, then closes it with a resolution. Who did what, and when, is kept
on the row and, step by step, in ``IncidentEvent`` (an update records what it changed). Outages (``service_down``) feed the
reports' uptime (``figures._operation_figures``), so their times are checked here: an outage cannot
end before it started, nor start in the future.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal_platform.errors import Conflict, NotFound, ValidationFailed
from portal_platform.reports.models import (
    Incident,
    IncidentAction,
    IncidentEvent,
    IncidentKind,
    IncidentSeverity,
    IncidentStatus,
)
from tenants.models import Portal

# What the reporting portal may write (and change while the incident is not closed).
INCIDENT_FIELDS = (
    "kind",
    "severity",
    "title",
    "description",
    "started_at",
    "ended_at",
    "service_down",
    "impact",
    "actions_taken",
)


def incident_fields_check(*, names: Iterable[str]) -> None:
    """Refuse field names an incident does not have (a misspelt field must not be silently ignored)."""
    unknown = sorted(set(names) - set(INCIDENT_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="unknown_fields",
            extra={"fields": unknown},
        )


def _clean(data: dict[str, Any], *, now: dt.datetime, current: Incident | None = None) -> dict[str, Any]:
    """The incident's fields checked together; every problem is reported at once, by field."""
    incident_fields_check(names=data)
    values: dict[str, Any] = {name: getattr(current, name) for name in INCIDENT_FIELDS} if current else {}
    values.update(data)
    errors: dict[str, str] = {}
    if values.get("kind") not in IncidentKind.values:
        errors["kind"] = _("Choose whether this is a technical incident or a security risk.")
    values.setdefault("severity", IncidentSeverity.MEDIUM)
    if values["severity"] not in IncidentSeverity.values:
        errors["severity"] = _("Choose a severity: low, medium or high.")
    values["title"] = str(values.get("title") or "").strip()
    if not values["title"]:
        errors["title"] = _("Say in a few words what happened.")
    elif len(values["title"]) > 300:
        errors["title"] = _("Keep the summary under 300 characters.")
    for name in ("description", "impact", "actions_taken"):
        values[name] = str(values.get(name) or "").strip()
    values["service_down"] = bool(values.get("service_down"))
    started = values.get("started_at")
    ended = values.get("ended_at")
    if not isinstance(started, dt.datetime):
        errors["started_at"] = _("Give the date and time the incident started.")
    elif started > now:
        errors["started_at"] = _("The start cannot be in the future.")
    if ended is not None and not isinstance(ended, dt.datetime):
        errors["ended_at"] = _("Give the date and time the incident ended, or leave it empty while it lasts.")
    elif isinstance(ended, dt.datetime) and isinstance(started, dt.datetime) and ended < started:
        errors["ended_at"] = _("The end cannot be before the start.")
    elif isinstance(ended, dt.datetime) and ended > now:
        errors["ended_at"] = _("The end cannot be in the future: leave it empty while the incident lasts.")
    if errors:
        message = " ".join(errors.values())
        raise ValidationFailed(message, code="invalid_incident", extra={"fields": errors})
    return {name: values.get(name) for name in INCIDENT_FIELDS}


def _as_text(value: Any) -> Any:
    """A field's value as the history keeps it (JSON): times in local dd/mm/yyyy hh:mm."""
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    return value


def _record(incident: Incident, action: IncidentAction, actor: str, changes: dict[str, Any] | None = None) -> None:
    IncidentEvent.objects.create(incident=incident, action=action, actor=actor, changes=changes or {})


def incident_create(*, portal: Portal, data: dict[str, Any], filed_by: str, now: dt.datetime | None = None) -> Incident:
    """File an incident or security risk for ``portal`` (by its admin, named ``filed_by``)."""
    values = _clean(data, now=now or timezone.now())
    with transaction.atomic():
        incident = Incident.objects.create(portal=portal, filed_by=filed_by, **values)
        _record(incident, IncidentAction.CREATE, filed_by)
    return incident


def incident_update(
    *, incident: Incident, data: dict[str, Any], actor: str, now: dt.datetime | None = None
) -> Incident:
    """Complete or correct an incident that is not closed (typically: when the portal came back).

    ``data`` holds only the fields to change; the result is checked as a whole (an end before the
    start is refused even if only the end was sent). A closed incident is final (``incident_closed``).
    What changed is recorded with ``actor``; an update that changes nothing records nothing.
    """
    with transaction.atomic():
        incident = Incident.objects.select_for_update().select_related("portal").get(pk=incident.pk)
        if incident.status == IncidentStatus.CLOSED:
            raise Conflict(_("This incident is closed and can no longer be changed."), code="incident_closed")
        values = _clean(data, now=now or timezone.now(), current=incident)
        changes = {
            name: [_as_text(getattr(incident, name)), _as_text(value)]
            for name, value in values.items()
            if getattr(incident, name) != value
        }
        if changes:
            for name, value in values.items():
                setattr(incident, name, value)
            incident.save()
            _record(incident, IncidentAction.UPDATE, actor, changes)
    return incident


def incident_acknowledge(*, incident: Incident, actor: str) -> Incident:
    """The provincial unit has seen the report (only a newly reported incident can be acknowledged)."""
    with transaction.atomic():
        updated = Incident.objects.filter(pk=incident.pk, status=IncidentStatus.OPEN).update(
            status=IncidentStatus.ACKNOWLEDGED,
            acknowledged_by=actor,
            acknowledged_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if not updated:
            raise Conflict(_("Only a newly reported incident can be acknowledged."), code="incident_not_open")
        current = Incident.objects.select_related("portal").get(pk=incident.pk)
        _record(current, IncidentAction.ACKNOWLEDGE, actor)
    return current


def incident_close(*, incident: Incident, actor: str, resolution: str) -> Incident:
    """Close the incident with how it was resolved (required). Closing acknowledges it too if need be."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationFailed(
            _("Say how the incident was resolved before closing it."),
            code="resolution_required",
            extra={"field": "resolution"},
        )
    now = timezone.now()
    with transaction.atomic():
        current = Incident.objects.select_for_update().select_related("portal").get(pk=incident.pk)
        if current.status == IncidentStatus.CLOSED:
            raise Conflict(_("This incident is already closed."), code="incident_closed")
        if not current.acknowledged_at:
            current.acknowledged_by, current.acknowledged_at = actor, now
        current.status = IncidentStatus.CLOSED
        current.closed_by, current.closed_at, current.resolution = actor, now, resolution
        current.save()
        _record(current, IncidentAction.CLOSE, actor)
    return current


# --- selectors -----------------------------------------------------------------------------------------


def incident_list(
    *, portal: Portal | None = None, status: str | None = None, kind: str | None = None
) -> QuerySet[Incident]:
    """Incidents, newest first; ``portal`` None is every portal's (the console)."""
    found = Incident.objects.select_related("portal")
    if portal is not None:
        found = found.filter(portal=portal)
    if status:
        found = found.filter(status=status)
    if kind:
        found = found.filter(kind=kind)
    return found


def incident_get(*, incident_id: int, portal: Portal | None = None) -> Incident:
    """One incident; with ``portal``, only that portal's (another portal's is "not found", not "forbidden")."""
    found = incident_list(portal=portal).filter(pk=incident_id).first()
    if found is None:
        raise NotFound(_("This incident report does not exist."), code="incident_not_found")
    return found


@dataclass(frozen=True)
class HistoryChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    event: IncidentEvent
    changes: list[HistoryChange]


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    choices = {"kind": IncidentKind, "severity": IncidentSeverity}.get(name)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(value)


def incident_history(*, incident: Incident) -> list[HistoryEntry]:
    """The incident's steps, oldest first, each update with its changes labelled for a screen."""
    entries = []
    for event in incident.events.all():
        changes = [
            HistoryChange(
                label=str(getattr(Incident._meta.get_field(name), "verbose_name", name)),
                before=_shown(name, pair[0]),
                after=_shown(name, pair[1]),
            )
            for name, pair in event.changes.items()
            if name in INCIDENT_FIELDS and isinstance(pair, list) and len(pair) == 2
        ]
        entries.append(HistoryEntry(event=event, changes=changes))
    return entries


def incident_last_update(*, incident: Incident) -> IncidentEvent | None:
    """The latest update the portal made (None if it never changed the report after filing it)."""
    return incident.events.filter(action=IncidentAction.UPDATE).order_by("-at", "-id").first()
