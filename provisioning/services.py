"""The lifecycle of a portal: requests, the provisioning job and its steps, suspend/resume/archive,
planned-downtime notices. The console, the REST API and the management commands all call these."""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import string
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Case, CharField, DateTimeField, F, Field, FloatField, JSONField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django_tenants.utils import schema_context, schema_exists

from content import roles as content_roles
from content.models import Role, SiteSettings
from content.services import roles_apply, roles_verify, site_agency_fill, site_content_apply
from portal_platform.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from portal_platform.sealing import seal, unseal
from provisioning import schemas
from provisioning.locks import advisory_lock
from provisioning.models import (
    DowntimeNotice,
    JobStatus,
    JobStep,
    ProvisioningJob,
    ProvisioningRequest,
    RequestStatus,
    SchemaPath,
    StepStatus,
)
from provisioning.selectors import DOWNTIME_CACHE_KEY, downtime_notices_current
from provisioning.site_templates import SiteTemplate, TemplateError, available_templates, load_template
from tenants.jobs import enqueue
from tenants.models import ABBREVIATION_PATTERN, Domain, Portal, PortalKind, PortalStatus
from tenants.routing import routing_invalidate
from tenants.services import domains_clean, portal_fields_validate, portal_names_check_free, schema_name_for

logger = logging.getLogger(__name__)

PASSWORD_PURPOSE = "provisioning-admin-password"  # noqa: S105 - a key-derivation label, not a secret
STEPS = ("reserve", "schema", "domains", "roles", "content", "admin", "activate")
STEP_LABELS = {
    "reserve": gettext_lazy("reserve the names"),
    "schema": gettext_lazy("create the schema"),
    "domains": gettext_lazy("attach the domains"),
    "roles": gettext_lazy("create the editorial roles"),
    "content": gettext_lazy("create the site content"),
    "admin": gettext_lazy("create the first admin account"),
    "activate": gettext_lazy("activate the portal"),
}


# --- requests -----------------------------------------------------------------------------------


def default_domain(*, abbreviation: str, kind: str) -> str:
    if kind == PortalKind.PROVINCE:
        return str(settings.PLATFORM_DOMAIN)
    return f"{abbreviation}.{settings.PLATFORM_DOMAIN}"


def admin_username_for(*, abbreviation: str, department: str = "") -> str:
    """Đ10.2.d: ``admin.<abbreviation>`` or ``admin.<department>.<abbreviation>``."""
    return f"admin.{department}.{abbreviation}" if department else f"admin.{abbreviation}"


def request_file(
    *,
    name: str,
    abbreviation: str,
    kind: str,
    template: str,
    admin_name: str,
    admin_email: str,
    request_reference: str,
    parent: Portal | None = None,
    domains: list[str] | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
    responsible_person: str = "",
    admin_department: str = "",
    filed_by: Any = None,
) -> ProvisioningRequest:
    """Record an agency's request for a portal after checking everything that can be checked now.

    Names are checked against existing portals here for a friendly early error; the job's reserve
    step is what actually guarantees uniqueness when two requests race.
    """
    abbreviation = abbreviation.strip()
    if kind != PortalKind.PROVINCE and parent is None:
        parent = Portal.objects.filter(kind=PortalKind.PROVINCE).first()
    portal_fields_validate(name=name, abbreviation=abbreviation, kind=kind, parent=parent, email=email)
    if template not in available_templates():
        raise ValidationFailed(
            _("The site template “%(template)s” does not exist.") % {"template": template},
            code="unknown_template",
            extra={"field": "template"},
        )
    site_template = load_template(template)
    if site_template.kind != kind:
        raise ValidationFailed(
            _("The site template “%(template)s” is for another kind of portal.") % {"template": template},
            code="template_kind_mismatch",
            extra={"field": "template"},
        )
    if not admin_name.strip():
        raise ValidationFailed(
            _("The first admin's name is required."), code="admin_name_required", extra={"field": "admin_name"}
        )
    try:
        validate_email(admin_email)
    except ValidationError:
        raise ValidationFailed(
            _("The email address “%(email)s” is not valid.") % {"email": admin_email},
            code="invalid_email",
            extra={"field": "admin_email"},
        ) from None
    if admin_department and not re.match(ABBREVIATION_PATTERN, admin_department):
        raise ValidationFailed(
            _("The department abbreviation may contain only lower-case unaccented letters, digits and hyphens."),
            code="invalid_admin_department",
            extra={"field": "admin_department"},
        )
    if not request_reference.strip():
        raise ValidationFailed(
            _("The reference of the agency's written request is required."),
            code="request_reference_required",
            extra={"field": "request_reference"},
        )
    cleaned = domains_clean(domains or [default_domain(abbreviation=abbreviation, kind=kind)])
    portal_names_check_free(abbreviation=abbreviation, domains=cleaned)
    return ProvisioningRequest.objects.create(
        name=name.strip(),
        abbreviation=abbreviation,
        kind=kind,
        parent=parent,
        domains=cleaned,
        template=template,
        address=address,
        phone=phone,
        email=email,
        responsible_person=responsible_person,
        admin_name=admin_name.strip(),
        admin_email=admin_email,
        admin_department=admin_department,
        request_reference=request_reference.strip(),
        filed_by=filed_by,
    )


def request_approve(
    *, request: ProvisioningRequest, decided_by: Any = None, forced_schema_path: str = ""
) -> ProvisioningJob:
    """Approve a pending request and start its job (sent to a worker after commit)."""
    with transaction.atomic():
        updated = ProvisioningRequest.objects.filter(pk=request.pk, status=RequestStatus.PENDING).update(
            status=RequestStatus.APPROVED, decided_by=decided_by, decided_at=timezone.now()
        )
        if not updated:
            raise Conflict(_("This request has already been decided."), code="request_already_decided")
        job = ProvisioningJob.objects.create(request=request, forced_schema_path=forced_schema_path)
        JobStep.objects.bulk_create(JobStep(job=job, name=name, position=i) for i, name in enumerate(STEPS))
        _job_enqueue(job)
    request.refresh_from_db()
    return job


def request_reject(*, request: ProvisioningRequest, reason: str, decided_by: Any = None) -> ProvisioningRequest:
    if not reason.strip():
        raise ValidationFailed(
            _("A reason for the rejection is required."), code="reason_required", extra={"field": "reason"}
        )
    updated = ProvisioningRequest.objects.filter(pk=request.pk, status=RequestStatus.PENDING).update(
        status=RequestStatus.REJECTED, reject_reason=reason.strip(), decided_by=decided_by, decided_at=timezone.now()
    )
    if not updated:
        raise Conflict(_("This request has already been decided."), code="request_already_decided")
    request.refresh_from_db()
    return request


def request_file_and_approve(*, decided_by: Any = None, forced_schema_path: str = "", **fields: Any) -> ProvisioningJob:
    """File and approve in one step (an operator acting on a request already checked on paper)."""
    with transaction.atomic():
        request = request_file(filed_by=decided_by, **fields)
        return request_approve(request=request, decided_by=decided_by, forced_schema_path=forced_schema_path)


def _job_enqueue(job: ProvisioningJob) -> None:
    from provisioning import tasks

    enqueue(tasks.provisioning_job_run, job_id=job.pk)


def job_retry(*, job: ProvisioningJob) -> ProvisioningJob:
    """Run a failed job again from its first step (a failure has already undone its work)."""
    with transaction.atomic():
        updated = ProvisioningJob.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED, error_step="", error_code="", error_message="", finished_at=None
        )
        if not updated:
            raise Conflict(_("Only a failed job can be retried."), code="job_not_failed")
        job.steps.update(
            status=StepStatus.PENDING,
            started_at=None,
            finished_at=None,
            duration_ms=None,
            detail="",
            detail_params={},
            error="",
        )
        _job_enqueue(job)
    job.refresh_from_db()
    return job


def job_password_reveal(*, job: ProvisioningJob) -> str | None:
    """The first admin's one-time password, exactly once; afterwards None (only the hash remains)."""
    with transaction.atomic():
        locked = ProvisioningJob.objects.select_for_update().get(pk=job.pk)
        # Only once the job has succeeded: until then an undo could still remove the account.
        if not locked.admin_password_sealed or locked.status != JobStatus.SUCCEEDED:
            return None
        try:
            password = unseal(locked.admin_password_sealed, purpose=PASSWORD_PURPOSE)
        except InvalidTag:
            # Sealed under another SECRET_KEY: unreadable for good; a new password must be issued.
            return None
        locked.admin_password_sealed = ""
        locked.admin_password_revealed_at = timezone.now()
        locked.save(update_fields=["admin_password_sealed", "admin_password_revealed_at"])
    return password


# --- the job ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepDetail:
    """What a step did, kept language-neutral: an English msgid (marked with ``gettext_noop``) and
    its parameters; ``JobStep.detail_text`` translates it when it is shown."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)


# A detail that is data, not words (a schema name, domains, group names): shown as it is.
VALUE_MSGID = "%(value)s"


def _value(value: str) -> StepDetail:
    return StepDetail(VALUE_MSGID, {"value": value})


@dataclass
class JobContext:
    job: ProvisioningJob
    request: ProvisioningRequest
    template: SiteTemplate
    portal: Portal | None = None
    notes: dict[str, str] = field(default_factory=dict)

    def require_portal(self) -> Portal:
        if self.portal is None:
            raise ApplicationError(_("The portal has not been reserved."), code="not_reserved")
        return self.portal


def _step_reserve(ctx: JobContext) -> StepDetail:
    if ctx.job.portal_id is not None:
        ctx.portal = Portal.objects.get(pk=ctx.job.portal_id)
        return StepDetail(gettext_noop("already reserved"))
    request = ctx.request
    portal_names_check_free(abbreviation=request.abbreviation, domains=list(request.domains))
    try:
        with transaction.atomic():
            portal = Portal.objects.create(
                schema_name=schema_name_for(request.abbreviation),
                name=request.name,
                abbreviation=request.abbreviation,
                kind=request.kind,
                parent=request.parent,
                address=request.address,
                phone=request.phone,
                email=request.email,
                responsible_person=request.responsible_person,
                status=PortalStatus.PROVISIONING,
                template_key=ctx.template.key,
                template_version=str(ctx.template.version),
            )
            ProvisioningJob.objects.filter(pk=ctx.job.pk).update(
                portal=portal, template_version=str(ctx.template.version)
            )
    except (IntegrityError, ValidationError) as exc:
        # django-tenants' own check or the unique constraint: another request won the race for the abbreviation (or schema) a moment ago.
        raise Conflict(
            _("The abbreviation “%(abbreviation)s” was just taken by another request.")
            % {"abbreviation": request.abbreviation},
            code="abbreviation_taken",
        ) from exc
    ctx.job.portal = ctx.portal = portal
    return _value(portal.schema_name)


# The schema paths' labels (the msgids of SchemaPath's choices), for the step's detail.
_PATH_DETAILS = {
    SchemaPath.POOL: gettext_noop("Spare schema from the pool"),
    SchemaPath.CLONE: gettext_noop("Clone of the template schema"),
    SchemaPath.MIGRATE: gettext_noop("Migrations"),
}


def _step_schema(ctx: JobContext) -> StepDetail:
    portal = ctx.require_portal()
    if schema_exists(portal.schema_name):
        return StepDetail(gettext_noop("already exists"))
    paths = [ctx.job.forced_schema_path] if ctx.job.forced_schema_path else list(settings.PROVISIONING_SCHEMA_PATHS)
    used = ""
    seeded = False
    for path in paths:
        if path == SchemaPath.POOL:
            spare = schemas.spare_claim(target=portal.schema_name, template=ctx.template)
            if spare is not None:
                used, seeded = path, bool(spare.template_key)
        elif path == SchemaPath.CLONE and (schemas.template_schema_ready() or ctx.job.forced_schema_path):
            schemas.template_schema_ensure()
            schemas.schema_clone(portal.schema_name)
            used = path
        elif path == SchemaPath.MIGRATE:
            schemas.schema_migrate(portal.schema_name)
            used = path
        if used:
            break
    if not used:
        raise ApplicationError(_("No way to create the schema is available."), code="no_schema_path")
    ProvisioningJob.objects.filter(pk=ctx.job.pk).update(schema_path=used)
    if seeded:
        return StepDetail(
            gettext_noop("Spare schema from the pool, pre-seeded with the site template %(template)s v%(version)s"),
            {"template": ctx.template.key, "version": str(ctx.template.version)},
        )
    return StepDetail(_PATH_DETAILS[SchemaPath(used)])


def _step_domains(ctx: JobContext) -> StepDetail:
    portal = ctx.require_portal()
    try:
        with transaction.atomic():
            for index, domain in enumerate(ctx.request.domains):
                existing = Domain.objects.filter(domain=domain).first()
                if existing is not None and existing.tenant_id == portal.pk:
                    continue
                Domain.objects.create(domain=domain, tenant=portal, is_primary=index == 0)
    except IntegrityError as exc:
        raise Conflict(_("A domain was just taken by another portal."), code="domain_taken") from exc
    return _value(", ".join(ctx.request.domains))


def _step_roles(ctx: JobContext) -> StepDetail:
    """The template's roles; on a pre-seeded schema they are already there, and one query shows it."""
    roles = ctx.template.roles
    with schema_context(ctx.require_portal().schema_name):
        if roles_verify(roles=roles):
            return StepDetail(
                gettext_noop("already as the template sets them: %(groups)s"),
                {"groups": ", ".join(spec.name for spec in roles)},
            )
        groups = roles_apply(roles=roles)
    return _value(", ".join(group.name for group in groups.values()))


def _step_content(ctx: JobContext) -> StepDetail:
    """The template's site content; a pre-seeded schema has it already, with the placeholder where
    the agency's name goes, so only the name is filled in."""
    portal = ctx.require_portal()
    template = ctx.template
    with schema_context(portal.schema_name):
        # site_content_apply writes the settings row last, in one transaction with the rest:
        # a row naming this template and version means the whole template is in.
        seeded = SiteSettings.objects.filter(
            pk=SiteSettings.SINGLETON_PK, template_key=template.key, template_version=template.version
        ).exists()
        if seeded:
            filled = site_agency_fill(agency_name=portal.name)
            return StepDetail(
                gettext_noop("%(template)s v%(version)s, pre-seeded; agency name filled in %(count)s records"),
                {"template": template.key, "version": str(template.version), "count": filled},
            )
        site_content_apply(template=template, agency_name=portal.name)
    return _value(f"{template.key} v{template.version}")


def _one_time_password() -> str:
    """16 characters with every class the password rules ask for (Đ10.2.đ)."""
    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits, "!@#$%"]
    alphabet = "".join(classes)
    chars = [secrets.choice(cls) for cls in classes] + [secrets.choice(alphabet) for _ in range(12)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def _step_admin(ctx: JobContext) -> StepDetail:
    portal = ctx.require_portal()
    request = ctx.request
    username = admin_username_for(abbreviation=portal.abbreviation, department=request.admin_department)
    password = _one_time_password()
    with schema_context(portal.schema_name), transaction.atomic():
        user_model = get_user_model()
        user, _created = user_model.objects.get_or_create(username=username)
        # On a resumed job the account may exist with a password nobody has seen: issue a new one.
        user.set_password(password)
        user.email = request.admin_email
        user.full_name = request.admin_name
        user.is_staff = True
        user.is_active = True
        user.must_change_password = True
        user.save()
        user.groups.add(Role.objects.select_related("group").get(key=content_roles.TENANT_ADMIN).group)
    ProvisioningJob.objects.filter(pk=ctx.job.pk).update(
        admin_username=username, admin_password_sealed=seal(password, purpose=PASSWORD_PURPOSE)
    )
    return _value(username)


def _step_activate(ctx: JobContext) -> StepDetail:
    portal = ctx.require_portal()
    with transaction.atomic():
        Portal.objects.filter(pk=portal.pk).update(status=PortalStatus.ACTIVE)
        routing_invalidate()
    # Web processes pick the portal up on its first request (tenants.routing looks an unknown or
    # still-provisioning host up at once); warm the one thing that page reads from the cache.
    with schema_context(portal.schema_name):
        downtime_notices_current(portal=portal)
    from provisioning import tasks

    enqueue(tasks.pool_top_up)
    return _value(ctx.request.domains[0])


STEP_FUNCTIONS: dict[str, Callable[[JobContext], StepDetail]] = {
    "reserve": _step_reserve,
    "schema": _step_schema,
    "domains": _step_domains,
    "roles": _step_roles,
    "content": _step_content,
    "admin": _step_admin,
    "activate": _step_activate,
}


def job_run(*, job_id: int) -> ProvisioningJob | None:
    """Carry out (or resume) a provisioning job; safe to call twice, and from two workers at once.

    Each step is idempotent and its outcome recorded, so a job whose worker died resumes at the
    step it was in. A step that fails undoes the whole job (schema dropped, names released) and
    marks the job failed; ``job_retry`` starts it again.
    """
    with advisory_lock(f"provisioning-job-{job_id}") as acquired:
        if not acquired:
            logger.info("job %s is being run by another worker", job_id)
            return None
        job = ProvisioningJob.objects.select_related("request", "portal").filter(pk=job_id).first()
        if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return job
        ProvisioningJob.objects.filter(pk=job.pk).update(
            status=JobStatus.RUNNING, attempts=job.attempts + 1, started_at=job.started_at or timezone.now()
        )
        try:
            template = load_template(job.request.template)
        except TemplateError as exc:
            return _job_fail(job, "reserve", exc.code, exc.message)
        ctx = JobContext(job=job, request=job.request, template=template, portal=job.portal)
        with _commits_flushed_at_the_end():
            failure = _job_steps(ctx)
        # Both outcomes are written with a synchronous commit, which also makes every commit the
        # steps made before it durable (the log is flushed in order).
        if failure is not None:
            return _job_fail(job, *failure)
        ProvisioningJob.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, finished_at=timezone.now())
        job.refresh_from_db()
        return job


@contextmanager
def _commits_flushed_at_the_end() -> Iterator[None]:
    """Let the steps' commits return without waiting for the disk (``synchronous_commit = off``).

    A job commits some twenty times (each step's work and its record); on this kind of machine
    each flush of the write-ahead log costs a few milliseconds, most of a warm-pool job. Nothing
    is lost by not waiting: the job's final status is committed synchronously, which flushes the
    earlier commits too, and if the database itself crashes before that, the job was not finished
    and resumes (its steps are idempotent) from whatever the database kept, exactly as after a
    worker crash. The setting is the connection's, so it is put back when the steps are done.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:
            # A broken connection is replaced, and a new one starts with the default.
            logger.warning("could not reset synchronous_commit; the connection is being replaced")


def _job_steps(ctx: JobContext) -> tuple[str, str, str] | None:
    """Run the steps not done yet, recording each; the failing step's (name, code, message), if any."""
    steps = [step for step in ctx.job.steps.order_by("position") if step.status != StepStatus.DONE]
    started = time.perf_counter()
    if steps:
        JobStep.objects.filter(pk=steps[0].pk).update(status=StepStatus.RUNNING, started_at=timezone.now())
    for index, step in enumerate(steps):
        try:
            _fault_injection(step.name)
            detail = STEP_FUNCTIONS[step.name](ctx)
        except Exception as exc:
            code = exc.code if isinstance(exc, ApplicationError) else "step_failed"
            message = (
                exc.message
                if isinstance(exc, ApplicationError)
                else _("Step “%(step)s” failed: %(error)s") % {"step": step.name, "error": exc}
            )
            if not isinstance(exc, ApplicationError):
                logger.exception("provisioning job %s failed at %s", ctx.job.pk, step.name)
            JobStep.objects.filter(pk=step.pk).update(
                status=StepStatus.FAILED,
                finished_at=timezone.now(),
                duration_ms=(time.perf_counter() - started) * 1000,
                error=message,
            )
            return step.name, code, message
        following = steps[index + 1] if index + 1 < len(steps) else None
        started = _step_done(step, started=started, detail=detail, following=following)
    return None


def _step_done(step: JobStep, *, started: float, detail: StepDetail, following: JobStep | None) -> float:
    """Record ``step`` as done and the ``following`` one as running, in one statement; returns when
    the following step started (its duration, like its ``started_at``, includes writing its record)."""
    now, clock = timezone.now(), time.perf_counter()
    duration_ms = (clock - started) * 1000
    if following is None:
        JobStep.objects.filter(pk=step.pk).update(
            status=StepStatus.DONE,
            finished_at=now,
            duration_ms=duration_ms,
            detail=detail.msgid,
            detail_params=detail.params,
        )
        return clock

    def this(value: Any, field_name: str, output: Field[Any, Any]) -> Case:
        return Case(When(pk=step.pk, then=Value(value, output_field=output)), default=F(field_name))

    JobStep.objects.filter(pk__in=[step.pk, following.pk]).update(
        status=Case(When(pk=step.pk, then=Value(StepStatus.DONE)), default=Value(StepStatus.RUNNING)),
        started_at=Case(When(pk=following.pk, then=Value(now)), default=F("started_at")),
        finished_at=this(now, "finished_at", DateTimeField()),
        duration_ms=this(duration_ms, "duration_ms", FloatField()),
        detail=this(detail.msgid, "detail", CharField()),
        detail_params=this(detail.params, "detail_params", JSONField()),
    )
    return clock


def _job_fail(job: ProvisioningJob, step: str, code: str, message: str) -> ProvisioningJob:
    _job_undo(job)
    ProvisioningJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED,
        error_step=step,
        error_code=code,
        error_message=message,
        finished_at=timezone.now(),
        admin_password_sealed="",
    )
    job.refresh_from_db()
    return job


def _job_undo(job: ProvisioningJob) -> None:
    """Remove everything this job made: its schema, its domains and its portal row."""
    portal_id = ProvisioningJob.objects.filter(pk=job.pk).values_list("portal_id", flat=True).first()
    if portal_id is None:
        return
    portal = Portal.objects.filter(pk=portal_id).first()
    if portal is None:
        return
    schemas.schema_drop(portal.schema_name)
    with transaction.atomic():
        ProvisioningJob.objects.filter(pk=job.pk).update(portal=None)
        Domain.objects.filter(tenant=portal).delete()
        portal.delete()
        routing_invalidate()


def _fault_injection(step: str) -> None:
    """Test hook: PROVISIONING_FAULTS = {"<step>": "fail" | "sleep:<seconds>"} (never set in production)."""
    fault = settings.PROVISIONING_FAULTS.get(step)
    if fault == "fail":
        raise RuntimeError(f"injected failure at {step}")
    if fault and fault.startswith("sleep:"):
        time.sleep(float(fault.split(":", 1)[1]))


# --- lifecycle ----------------------------------------------------------------------------------

_TRANSITIONS = {
    "suspend": ({PortalStatus.ACTIVE}, PortalStatus.SUSPENDED),
    "resume": ({PortalStatus.SUSPENDED}, PortalStatus.ACTIVE),
    "archive": ({PortalStatus.ACTIVE, PortalStatus.SUSPENDED}, PortalStatus.ARCHIVED),
}


def _portal_transition(portal: Portal, action: str) -> Portal:
    allowed, target = _TRANSITIONS[action]
    with transaction.atomic():
        updated = Portal.objects.filter(pk=portal.pk, status__in=allowed).update(status=target)
        if not updated:
            portal.refresh_from_db()
            raise Conflict(
                _("A portal that is “%(status)s” cannot be %(action)s.")
                % {"status": portal.get_status_display(), "action": _ACTION_LABELS[action]},
                code="invalid_transition",
            )
        routing_invalidate()
    portal.refresh_from_db()
    return portal


_ACTION_LABELS = {
    "suspend": gettext_lazy("suspended"),
    "resume": gettext_lazy("resumed"),
    "archive": gettext_lazy("archived"),
}


def portal_suspend(*, portal: Portal) -> Portal:
    """Take a portal offline: its site shows a notice and nobody can publish."""
    return _portal_transition(portal, "suspend")


def portal_resume(*, portal: Portal) -> Portal:
    return _portal_transition(portal, "resume")


def portal_archive(*, portal: Portal) -> Portal:
    """Keep a portal read-only for the record (Đ8: published content is kept, not lost)."""
    return _portal_transition(portal, "archive")


def portal_get(*, portal_id: int) -> Portal:
    portal = Portal.objects.filter(pk=portal_id).first()
    if portal is None:
        raise NotFound(_("The portal does not exist."), code="portal_not_found")
    return portal


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (Monday–Friday, not a holiday)."""
    holidays = set(settings.PUBLIC_HOLIDAYS)
    days, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            days += 1
    return days


def downtime_announce(
    *,
    portal: Portal,
    starts_at: dt.datetime,
    expected_end: dt.datetime,
    message: str = "",
    urgent: bool = False,
    created_by: Any = None,
) -> DowntimeNotice:
    """Announce planned downtime; refused under the notice period (NĐ 64/2007 Đ16) unless urgent."""
    if portal.status == PortalStatus.ARCHIVED:
        raise ValidationFailed(_("An archived portal has no service to interrupt."), code="portal_archived")
    if expected_end <= timezone.now():
        raise ValidationFailed(
            _("The expected restoration time is already past."), code="invalid_period", extra={"field": "expected_end"}
        )
    if expected_end <= starts_at:
        raise ValidationFailed(
            _("The expected restoration time must be after the start."),
            code="invalid_period",
            extra={"field": "expected_end"},
        )
    today = timezone.localdate()
    notice_days = settings.DOWNTIME_NOTICE_WORKING_DAYS
    if not urgent and working_days_between(today, timezone.localtime(starts_at).date()) < notice_days:
        raise ValidationFailed(
            _("Planned downtime must be announced at least %(days)s working days ahead; mark it urgent otherwise.")
            % {"days": notice_days},
            code="notice_too_short",
            extra={"field": "starts_at"},
        )
    notice = DowntimeNotice.objects.create(
        portal=portal,
        starts_at=starts_at,
        expected_end=expected_end,
        message=message,
        urgent=urgent,
        created_by=created_by,
    )

    def forget_cached_notices() -> None:
        with schema_context(portal.schema_name):
            cache.delete(DOWNTIME_CACHE_KEY)

    transaction.on_commit(forget_cached_notices)
    return notice


# --- account closure ----------------------------------------------------------------------------
# Decision 80/2025 Đ10.2.e, Đ14.4.d: a portal asks in writing for one of its accounts to be closed
# and names who takes over; an operator of the Provincial Portal unit executes (or rejects) it.
# The account is disabled, never deleted: its record stays for audit.

from django.http import HttpRequest  # noqa: E402

from accounts import handover  # noqa: E402
from accounts.services import account_sessions_end  # noqa: E402
from portal_platform import audit  # noqa: E402
from provisioning.models import AccountClosure, ClosureStatus  # noqa: E402


def _closure_accounts_check(*, portal: Portal, username: str, successor_username: str) -> None:
    """Both accounts exist and are active in ``portal``'s own schema (so another portal's never do)."""
    user_model = get_user_model()
    with schema_context(portal.schema_name):
        account = user_model.objects.filter(username=username).first()
        successor = user_model.objects.filter(username=successor_username).first()
    if account is None:
        raise NotFound(
            _("This portal has no account “%(username)s”.") % {"username": username},
            code="account_not_found",
            extra={"field": "username"},
        )
    if not account.is_active:
        raise Conflict(
            _("The account “%(username)s” is already closed.") % {"username": username},
            code="account_already_closed",
            extra={"field": "username"},
        )
    if successor is None or not successor.is_active:
        raise ValidationFailed(
            _("The account that takes over, “%(username)s”, does not exist or is closed on this portal.")
            % {"username": successor_username},
            code="successor_not_found",
            extra={"field": "successor_username"},
        )


def account_closure_check(*, portal: Portal, username: str, successor_username: str, request_reference: str) -> None:
    """The rules ``account_closure_file`` enforces, for forms to show before saving."""
    if not request_reference.strip():
        raise ValidationFailed(
            _("Enter the reference of the portal's written request (số văn bản)."),
            code="request_reference_required",
            extra={"field": "request_reference"},
        )
    if not username.strip():
        raise ValidationFailed(_("Choose the account to close."), code="username_required", extra={"field": "username"})
    if not successor_username.strip():
        raise ValidationFailed(
            _("Name the account that takes over the closed account's work: a closure needs a successor."),
            code="successor_required",
            extra={"field": "successor_username"},
        )
    if successor_username.strip() == username.strip():
        raise ValidationFailed(
            _("The account that takes over must be a different account from the one being closed."),
            code="successor_is_account",
            extra={"field": "successor_username"},
        )
    _closure_accounts_check(portal=portal, username=username.strip(), successor_username=successor_username.strip())
    if AccountClosure.objects.filter(portal=portal, username=username.strip(), status=ClosureStatus.REQUESTED).exists():
        raise Conflict(
            _("A closure of this account is already awaiting execution."),
            code="closure_already_requested",
            extra={"field": "username"},
        )


def account_closure_file(
    *,
    portal: Portal,
    username: str,
    successor_username: str,
    request_reference: str,
    reason: str = "",
    requested_by: str = "",
    request: HttpRequest | None = None,
) -> AccountClosure:
    """File a portal's request to close one of its accounts (from its back office, or by an operator
    on its behalf). Nothing changes on the account until an operator executes the request."""
    username = username.strip()
    successor_username = successor_username.strip()
    request_reference = request_reference.strip()
    account_closure_check(
        portal=portal, username=username, successor_username=successor_username, request_reference=request_reference
    )
    try:
        with transaction.atomic():
            closure = AccountClosure.objects.create(
                portal=portal,
                username=username,
                successor_username=successor_username,
                request_reference=request_reference,
                reason=reason.strip(),
                requested_by=requested_by,
            )
            audit.audit_log_record(
                action=audit.ACCOUNT_CLOSE_REQUEST,
                actor=requested_by,
                target=username,
                portal=portal,
                request=request,
                data={"closure": closure.pk, "successor": successor_username, "reference": request_reference},
            )
    except IntegrityError as exc:
        raise Conflict(
            _("A closure of this account is already awaiting execution."), code="closure_already_requested"
        ) from exc
    return closure


def account_closure_get(*, closure_id: int) -> AccountClosure:
    found = AccountClosure.objects.select_related("portal").filter(pk=closure_id).first()
    if found is None:
        raise NotFound(_("The account closure request does not exist."), code="closure_not_found")
    return found


def account_closure_execute(
    *, closure: AccountClosure, executed_by: str, request: HttpRequest | None = None
) -> AccountClosure:
    """Close the account as requested, in the portal's schema, all or nothing.

    The account is disabled (never deleted) and loses its groups; its sessions end; every
    registered hand-over (``accounts.handover``) passes its work to the successor or ends it; the
    request records what was handed over and who executed it; the audit log gets
    ``account.close``. Executing an executed request again changes nothing and returns it.
    """
    user_model = get_user_model()
    with transaction.atomic():
        locked = AccountClosure.objects.select_for_update().select_related("portal").get(pk=closure.pk)
        if locked.status == ClosureStatus.EXECUTED:
            return locked
        if locked.status == ClosureStatus.REJECTED:
            raise Conflict(_("This closure request was rejected; it cannot be executed."), code="closure_rejected")
        portal = locked.portal
        with schema_context(portal.schema_name):
            account = user_model.objects.select_for_update().filter(username=locked.username).first()
            if account is None:
                raise NotFound(
                    _("This portal has no account “%(username)s”.") % {"username": locked.username},
                    code="account_not_found",
                )
            successor = user_model.objects.filter(username=locked.successor_username, is_active=True).first()
            if successor is None:
                raise ValidationFailed(
                    _("The account that takes over, “%(username)s”, does not exist or is closed on this portal.")
                    % {"username": locked.successor_username},
                    code="successor_not_found",
                )
            groups = sorted(account.groups.values_list("name", flat=True))
            handed_over = handover.handover_run(from_user=account, to_user=successor)
            account.groups.clear()
            account.is_active = False
            account.save(update_fields=["is_active"])
            account_sessions_end(user=account)
        locked.status = ClosureStatus.EXECUTED
        locked.decided_by = executed_by
        locked.decided_at = timezone.now()
        locked.handed_over = handed_over
        locked.save(update_fields=["status", "decided_by", "decided_at", "handed_over"])
        audit.audit_log_record(
            action=audit.ACCOUNT_CLOSE,
            actor=executed_by,
            target=locked.username,
            portal=portal,
            request=request,
            data={
                "closure": locked.pk,
                "reference": locked.request_reference,
                "successor": locked.successor_username,
                "groups_removed": groups,
                "handed_over": handed_over,
            },
        )
    return locked


def account_closure_reject(
    *, closure: AccountClosure, reason: str, rejected_by: str, request: HttpRequest | None = None
) -> AccountClosure:
    """Refuse a closure request, with the reason the portal will read. The account is untouched."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(
            _("Give the reason for rejecting the request."), code="reason_required", extra={"field": "reason"}
        )
    with transaction.atomic():
        locked = AccountClosure.objects.select_for_update().select_related("portal").get(pk=closure.pk)
        if locked.status == ClosureStatus.REJECTED:
            return locked
        if locked.status == ClosureStatus.EXECUTED:
            raise Conflict(_("This account has already been closed."), code="closure_executed")
        locked.status = ClosureStatus.REJECTED
        locked.reject_reason = reason
        locked.decided_by = rejected_by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
        audit.audit_log_record(
            action=audit.ACCOUNT_CLOSE_REJECT,
            actor=rejected_by,
            target=locked.username,
            portal=locked.portal,
            request=request,
            data={"closure": locked.pk, "reference": locked.request_reference, "reason": reason},
        )
    return locked
