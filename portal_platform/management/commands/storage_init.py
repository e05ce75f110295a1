from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from infra.s3 import ensure_bucket, s3_client


class Command(BaseCommand):
    help = "Tạo bucket lưu trữ đối tượng (S3_BUCKET) nếu chưa có."

    def handle(self, *args: Any, **options: Any) -> None:
        client = s3_client(
            endpoint_url=settings.S3_ENDPOINT_URL,
            access_key=settings.S3_ACCESS_KEY_ID,
            secret_key=settings.S3_SECRET_ACCESS_KEY,
            region=settings.S3_REGION,
        )
        try:
            created = ensure_bucket(client, settings.S3_BUCKET)
        except Exception as exc:
            raise CommandError(
                f"Không tạo được bucket {settings.S3_BUCKET} tại {settings.S3_ENDPOINT_URL}: {exc}"
            ) from exc
        state = "đã tạo" if created else "đã có"
        self.stdout.write(f"Bucket {settings.S3_BUCKET} tại {settings.S3_ENDPOINT_URL}: {state}.")
