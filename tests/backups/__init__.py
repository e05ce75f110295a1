"""Backups and restore per portal (issue 8): against the real PostgreSQL, SeaweedFS and, for the
killed-worker fault, a real worker process on RabbitMQ.

Helpers shared by these tests: a portal filled with realistic content (accounts in editorial roles,
a section, articles through the workflow with their revisions and transitions, an image and a
document in the media library) and a full picture of a portal — every row of every table of its
schema and every object under its media prefix — to compare before and after.
"""

from __future__ import annotations

import hashlib
from typing import Any

import psycopg
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from psycopg import sql

from accounts.models import User
from content import roles
from content.models import Article, Category, MediaFile, SiteSettings
from content.services import media_upload
from content.services.workflow import item_save, item_transition
from infra import backup_store
from infra.s3 import s3_client
from provisioning import backups
from provisioning.backup_models import Backup, BackupJob
from provisioning.models import JobStatus
from tenants.models import Portal
from tests.board import account, roles_ready

# Sessions are ended by a restore on purpose (a restored session would log someone back in).
NOT_COMPARED = {"django_session"}


def media_client() -> Any:
    return s3_client(
        endpoint_url=settings.S3_ENDPOINT_URL,
        access_key=settings.S3_ACCESS_KEY_ID,
        secret_key=settings.S3_SECRET_ACCESS_KEY,
        region=settings.S3_REGION,
    )


def conninfo() -> str:
    return backups._conninfo()


def rows_of(schema_name: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of ``schema_name``, sorted: the portal's whole database state."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    with psycopg.connect(conninfo(), autocommit=True) as conn:
        tables = [
            str(r[0])
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema_name]
            ).fetchall()
        ]
        for table in tables:
            if table in NOT_COMPARED:
                continue
            query = sql.SQL("SELECT * FROM {}.{}").format(sql.Identifier(schema_name), sql.Identifier(table))
            state[table] = sorted(conn.execute(query).fetchall(), key=repr)
    return state


def media_of(schema_name: str) -> dict[str, str]:
    """SHA-256 of every object under the portal's media prefix, by key relative to the prefix."""
    client = media_client()
    prefix = f"portals/{schema_name}/"
    found = {}
    for item in backup_store.objects_list(client, bucket=settings.S3_BUCKET, prefix=prefix):
        body = client.get_object(Bucket=settings.S3_BUCKET, Key=item["Key"])["Body"].read()
        found[str(item["Key"])[len(prefix) :]] = hashlib.sha256(body).hexdigest()
    return found


def png(seed: int, size: tuple[int, int] = (900, 500)) -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", size, (seed * 37 % 256, seed * 91 % 256, 120))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def fill(portal: Portal, marker: str) -> dict[str, Any]:
    """Realistic content in ``portal``: accounts in roles, a section, a published article with a cover
    image (revisions, transitions), a draft, an image and a PDF in the library. Call committed."""
    with schema_context(portal.schema_name):
        roles_ready()
        SiteSettings.objects.get_or_create(pk=1)
        people: dict[str, User] = {}
        for key in (roles.CONTRIBUTOR, roles.BOARD_HEAD):
            username = f"{key.replace('_', '')}.{marker}"
            people[key] = User.objects.filter(username=username).first() or account(username, roles=[key])
        section, _created = Category.objects.get_or_create(slug=f"tin-{marker}", defaults={"name": f"Tin {marker}"})
        image = media_upload(
            file=SimpleUploadedFile("anh.png", png(len(marker))),
            name=f"anh-{marker}.png",
            alt_text="Ảnh hội nghị",
            title=f"Ảnh {marker}",
            uploaded_by=people[roles.CONTRIBUTOR].username,
        )
        document = media_upload(
            file=SimpleUploadedFile("vb.pdf", PDF + marker.encode()),
            name=f"van-ban-{marker}.pdf",
            uploaded_by=people[roles.CONTRIBUTOR].username,
        )
        writer, head = people[roles.CONTRIBUTOR], people[roles.BOARD_HEAD]
        article = item_save(
            model=Article,
            data={
                "title": f"Hội nghị {marker}",
                "body": f"<p>Nội dung {marker}</p>",
                "author": "Phóng viên",
                "sections": [section.pk],
                "cover": image.pk,
                "cover_alt": "Ảnh hội nghị",
            },
            user=writer,
        )
        for action, user in (("submit", writer), ("approve", head), ("publish", head)):
            article = item_transition(item=article, action=action, user=user, comment="ý kiến")
        draft = item_save(
            model=Article,
            data={"title": f"Bản nháp {marker}", "body": "<p>Nháp</p>", "author": "PV", "sections": [section.pk]},
            user=writer,
        )
        return {
            "article": article.pk,
            "draft": draft.pk,
            "image": image.pk,
            "document": document.pk,
            "media_count": MediaFile.objects.count(),
        }


def run_backup(portal: Portal, **kwargs: Any) -> Backup:
    job = backups.backup_create(portal=portal, requested_by="kiemthu", send=False)
    finished = backups.backup_job_run(job_id=job.pk)
    assert finished is not None
    assert finished.status == JobStatus.SUCCEEDED, (finished.error_step, finished.error_message)
    assert finished.backup is not None
    return finished.backup


def run_job(job: BackupJob) -> BackupJob:
    finished = backups.backup_job_run(job_id=job.pk)
    assert finished is not None
    return finished
