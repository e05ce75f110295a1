"""The job on a pre-seeded spare: the roles and content steps check and fill instead of building, and
the portal comes out the same as one built step by step; its records stay truthful."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context

from content.models import AuditEvent, Category, Menu, MenuItem, Page, SiteSettings
from content.services import AGENCY_NAME_PLACEHOLDER
from provisioning import schemas, services
from provisioning.models import JobStatus, JobStep, ProvisioningJob, SpareSchema, StepStatus
from provisioning.site_templates import load_template
from tenants.models import Portal

pytestmark = pytest.mark.django_db

MakeJob = Callable[..., ProvisioningJob]


def _run(job: ProvisioningJob) -> ProvisioningJob:
    finished = services.job_run(job_id=job.pk)
    assert finished is not None
    return finished


def _site(schema_name: str, agency_name: str) -> dict[str, Any]:
    """Everything the template put in a portal, with the agency's name put back as the placeholder."""

    def neutral(text: str) -> str:
        return text.replace(agency_name, AGENCY_NAME_PLACEHOLDER)

    with schema_context(schema_name):
        return {
            "sections": sorted(
                Category.objects.values_list(
                    "slug", "name", "name_en", "order", "is_visible", "description", "parent__slug"
                )
            ),
            "pages": sorted(
                (kind, slug, neutral(t), neutral(te), neutral(b), neutral(be), published)
                for kind, slug, t, te, b, be, published in Page.objects.values_list(
                    "kind", "slug", "title", "title_en", "body", "body_en", "live"
                )
            ),
            "menus": sorted(Menu.objects.values_list("key", "name")),
            "items": sorted(
                MenuItem.objects.values_list(
                    "menu__key",
                    "key",
                    "label",
                    "label_en",
                    "parent__key",
                    "category__slug",
                    "page__slug",
                    "url",
                    "order",
                ),
                key=repr,
            ),
            "footer": [
                neutral(value)
                for value in SiteSettings.objects.values_list(
                    "footer_text", "footer_text_en", "copyright", "copyright_en", "template_key", "template_version"
                ).get()
            ],
            "groups": sorted(
                (group.portal_role.key, group.name, sorted(group.permissions.values_list("codename", flat=True)))
                for group in Group.objects.select_related("portal_role")
            ),
        }


def test_a_pre_seeded_spare_gives_the_same_portal_as_building_it_step_by_step(file_and_approve: MakeJob) -> None:
    built = _run(file_and_approve("xa-dung", schema_path="migrate"))
    assert schemas.pool_top_up(size=1, templates=["commune"])["created"] == 1
    with CaptureSteps() as captured:
        seeded = _run(file_and_approve("xa-san"))
    assert built.status == seeded.status == JobStatus.SUCCEEDED
    assert seeded.schema_path == "pool" and not SpareSchema.objects.exists()

    portal = Portal.objects.get(abbreviation="xa-san")
    reference = Portal.objects.get(abbreviation="xa-dung")
    assert _site(portal.schema_name, portal.name) == _site(reference.schema_name, reference.name)
    with schema_context(portal.schema_name):
        # The name is in, the placeholder is gone, and the fill is on the record.
        assert not Page.objects.filter(body__contains="{").exists()
        assert Page.objects.filter(body__contains=portal.name).count() == 6
        assert SiteSettings.objects.get().copyright == f"© Bản quyền thuộc về {portal.name}"
        assert AuditEvent.objects.filter(action="site_template.agency_filled", object_repr=portal.name).exists()

    # The roles and content steps checked and filled with a handful of queries.
    assert captured["roles"] <= 3 and captured["content"] <= 8
    steps = {step.name: step for step in seeded.steps.all()}
    assert steps["schema"].detail_params == {"template": "commune", "version": str(load_template("commune").version)}
    assert steps["roles"].detail.startswith("already as the template sets them")
    assert steps["content"].detail_params["count"] == 7  # six background pages and the footer


class CaptureSteps:
    """Count the queries each step sends."""

    def __enter__(self) -> dict[str, int]:
        from django.test.utils import CaptureQueriesContext

        self.counts: dict[str, int] = {}
        self.original = dict(services.STEP_FUNCTIONS)

        def wrap(name: str, function: Callable[[services.JobContext], services.StepDetail]) -> Any:
            def run(ctx: services.JobContext) -> services.StepDetail:
                with CaptureQueriesContext(connection) as queries:
                    result = function(ctx)
                self.counts[name] = len(queries)
                return result

            return run

        for name, function in self.original.items():
            services.STEP_FUNCTIONS[name] = wrap(name, function)
        return self.counts

    def __exit__(self, *exc: object) -> None:
        services.STEP_FUNCTIONS.update(self.original)


def test_roles_changed_in_a_spare_are_put_right_by_the_roles_step(file_and_approve: MakeJob) -> None:
    schemas.pool_top_up(size=1, templates=["commune"])
    spare = SpareSchema.objects.get()
    with schema_context(spare.schema_name):
        group = Group.objects.get(portal_role__key="contributor")
        group.permissions.clear()  # not what the template says any more
    job = _run(file_and_approve("xa-vaitro"))
    assert job.status == JobStatus.SUCCEEDED and job.schema_path == "pool"
    roles = job.steps.get(name="roles")
    assert roles.detail == services.VALUE_MSGID  # applied, not merely verified
    with schema_context(Portal.objects.get(abbreviation="xa-vaitro").schema_name):
        assert Group.objects.get(portal_role__key="contributor").permissions.exists()


def test_the_content_step_is_idempotent_on_a_pre_seeded_schema(file_and_approve: MakeJob) -> None:
    schemas.pool_top_up(size=1, templates=["commune"])
    job = _run(file_and_approve("xa-lai"))
    ctx = services.JobContext(job=job, request=job.request, template=load_template("commune"), portal=job.portal)
    again = services.STEP_FUNCTIONS["content"](ctx)
    assert again.params["count"] == 0  # nothing left to fill
    with schema_context(job.portal.schema_name if job.portal else ""):
        assert AuditEvent.objects.filter(action="site_template.agency_filled").count() == 1


def test_without_a_spare_of_its_template_the_job_falls_back_to_a_clone(file_and_approve: MakeJob) -> None:
    schemas.pool_top_up(size=1, templates=["department"])
    job = _run(file_and_approve("xa-khongco"))  # a commune: the pool has only a department spare
    assert job.status == JobStatus.SUCCEEDED
    assert job.schema_path == "clone"
    assert SpareSchema.objects.get().template_key == "department"  # not handed to another template
    with schema_context(Portal.objects.get(abbreviation="xa-khongco").schema_name):
        assert SiteSettings.objects.get().template_key == "commune"
        assert not Page.objects.filter(body__contains="{").exists()


def test_step_records_show_the_running_step_and_end_with_durable_commits(file_and_approve: MakeJob) -> None:
    job = file_and_approve("xa-ghi")
    seen: dict[str, list[tuple[str, str]]] = {}
    original = services.STEP_FUNCTIONS["content"]

    def spy(ctx: services.JobContext) -> services.StepDetail:
        seen["during content"] = list(JobStep.objects.filter(job=job).values_list("name", "status"))
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen["synchronous_commit"] = [("during", cursor.fetchone()[0])]
        return original(ctx)

    services.STEP_FUNCTIONS["content"] = spy
    try:
        job = _run(job)
    finally:
        services.STEP_FUNCTIONS["content"] = original
    statuses = dict(seen["during content"])
    assert [statuses[name] for name in services.STEPS] == [
        StepStatus.DONE,
        StepStatus.DONE,
        StepStatus.DONE,
        StepStatus.DONE,
        StepStatus.RUNNING,
        StepStatus.PENDING,
        StepStatus.PENDING,
    ]
    assert seen["synchronous_commit"] == [("during", "off")]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # put back for whatever the connection does next
    steps = list(job.steps.order_by("position"))
    assert all(step.status == StepStatus.DONE and step.duration_ms is not None for step in steps)
    for before, after in itertools.pairwise(steps):
        assert before.started_at is not None and before.finished_at is not None
        assert before.started_at <= before.finished_at <= after.started_at  # type: ignore[operator]


def test_step_details_are_stored_language_neutral_and_shown_in_the_reader_s_language(
    file_and_approve: MakeJob,
) -> None:
    schemas.pool_top_up(size=1, templates=["commune"])
    with translation.override("vi"):
        job = _run(file_and_approve("xa-ngonngu"))
    steps = {step.name: step for step in job.steps.all()}
    # What is stored is the English msgid and its parameters, whatever the worker's language.
    assert steps["schema"].detail == (
        "Spare schema from the pool, pre-seeded with the site template %(template)s v%(version)s"
    )
    assert steps["reserve"].detail == services.VALUE_MSGID
    assert steps["reserve"].detail_params == {"value": "portal_xa_ngonngu"}
    assert steps["reserve"].detail_text() == "portal_xa_ngonngu"
    with translation.override("en"):
        assert steps[
            "schema"
        ].detail_text() == "Spare schema from the pool, pre-seeded with the site template commune v" + str(
            load_template("commune").version
        )

    # A msgid the catalogue already translates, shown in each language.
    step = steps["schema"]
    step.detail, step.detail_params = "Clone of the template schema", {}
    with translation.override("vi"):
        assert step.detail_text() == "Sao chép lược đồ mẫu"
    with translation.override("en"):
        assert step.detail_text() == "Clone of the template schema"
    # Rows written before details were language-neutral hold finished text, shown as it is.
    step.detail, step.detail_params = "Lược đồ dự phòng từ kho (100%)", {}
    with translation.override("en"):
        assert step.detail_text() == "Lược đồ dự phòng từ kho (100%)"
