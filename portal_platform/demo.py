"""The demo province that ``make run`` sets up: real Vietnamese agencies of Nghệ An."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from accounts.services import account_password_set
from provisioning import services as provisioning_services
from provisioning.models import JobStatus
from tenants.models import Portal, PortalKind

DEMO_PASSWORD = "Demo@Portal2026"  # noqa: S105 - printed by `make run`; meets the password rules of Đ10.2.đ
CONSOLE_ACCOUNT = "admin.cttdt"  # the Provincial Portal unit (Cổng TTĐT tỉnh)


@dataclass(frozen=True)
class DemoPortal:
    abbreviation: str
    name: str
    kind: str
    address: str
    phone: str
    email: str
    responsible_person: str

    def domain(self) -> str:
        if self.kind == PortalKind.PROVINCE:
            return settings.PLATFORM_DOMAIN
        return f"{self.abbreviation}.{settings.PLATFORM_DOMAIN}"


DEMO_PORTALS = [
    DemoPortal(
        "nghean",
        "Ủy ban nhân dân tỉnh Nghệ An",
        PortalKind.PROVINCE,
        "16 Trường Thi, phường Thành Vinh, tỉnh Nghệ An",
        "0238 3840 000",
        "ubnd@nghean.gov.vn",
        "Chánh Văn phòng UBND tỉnh",
    ),
    DemoPortal(
        "sokhcn",
        "Sở Khoa học và Công nghệ tỉnh Nghệ An",
        PortalKind.DEPARTMENT,
        "75 Nguyễn Thị Minh Khai, phường Thành Vinh, tỉnh Nghệ An",
        "0238 3844 500",
        "sokhcn@nghean.gov.vn",
        "Giám đốc Sở Khoa học và Công nghệ",
    ),
    DemoPortal(
        "sotc",
        "Sở Tài chính tỉnh Nghệ An",
        PortalKind.DEPARTMENT,
        "18 Trường Thi, phường Thành Vinh, tỉnh Nghệ An",
        "0238 3844 312",
        "sotc@nghean.gov.vn",
        "Giám đốc Sở Tài chính",
    ),
    DemoPortal(
        "thanhvinh",
        "Ủy ban nhân dân phường Thành Vinh",
        PortalKind.COMMUNE,
        "Phường Thành Vinh, tỉnh Nghệ An",
        "0238 3551 234",
        "thanhvinh@nghean.gov.vn",
        "Chủ tịch UBND phường Thành Vinh",
    ),
    DemoPortal(
        "concuong",
        "Ủy ban nhân dân xã Con Cuông",
        PortalKind.COMMUNE,
        "Xã Con Cuông, tỉnh Nghệ An",
        "0238 3873 123",
        "concuong@nghean.gov.vn",
        "Chủ tịch UBND xã Con Cuông",
    ),
]


def _ensure_operator() -> None:
    user_model = get_user_model()
    if not user_model.objects.filter(username=CONSOLE_ACCOUNT).exists():
        user_model.objects.create_superuser(
            username=CONSOLE_ACCOUNT, email="", password=DEMO_PASSWORD, full_name="Đơn vị Cổng TTĐT tỉnh"
        )


def _provision(demo: DemoPortal) -> Portal:
    """Through the same request → approval → job path as every real portal, run in-process."""
    job = provisioning_services.request_file_and_approve(
        name=demo.name,
        abbreviation=demo.abbreviation,
        kind=demo.kind,
        template=demo.kind,
        domains=[demo.domain()],
        address=demo.address,
        phone=demo.phone,
        email=demo.email,
        responsible_person=demo.responsible_person,
        admin_name=f"Quản trị {demo.name}",
        admin_email=demo.email,
        request_reference="DEMO/2026",
    )
    finished = provisioning_services.job_run(job_id=job.pk)
    if finished is None or finished.status != JobStatus.SUCCEEDED:
        message = finished.error_message if finished else "job locked"
        raise RuntimeError(f"demo portal {demo.abbreviation}: {message}")
    portal = Portal.objects.get(abbreviation=demo.abbreviation)
    # A known password for the demo only; real portals get a one-time password to change.
    with schema_context(portal.schema_name):
        admin = get_user_model().objects.get(username=finished.admin_username)
        account_password_set(user=admin, password=DEMO_PASSWORD)
    provisioning_services.job_password_reveal(job=finished)  # discard the one-time password
    return portal


def demo_setup() -> list[Portal]:
    """Create whatever of the demo province is missing; running it again changes nothing."""
    _ensure_operator()
    portals = []
    for demo in DEMO_PORTALS:
        portal = Portal.objects.filter(abbreviation=demo.abbreviation).first()
        portals.append(portal if portal is not None else _provision(demo))
    return portals
