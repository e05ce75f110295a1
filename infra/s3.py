"""The one way this project builds an S3 client, for AWS and for S3-compatible stores alike.

Every caller (storage backend, backups, readiness check, tests) goes through ``s3_client`` so the
settings that make boto3 work against SeaweedFS, MinIO or Ceph live in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    # Precise types when boto3-stubs[s3] (mypy_boto3_s3) is installed; Any otherwise.
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.literals import BucketLocationConstraintType
else:
    S3Client = Any

__all__ = ["S3Client", "client_config", "ensure_bucket", "s3_client"]

# Error codes meaning "no such bucket": HEAD responses carry no body, so botocore reports the bare
# HTTP status there; GET-style calls give the S3 code.
_MISSING_BUCKET = {"404", "NoSuchBucket", "NotFound"}


def client_config(timeout: float = 10.0) -> Config:
    """botocore settings that make one client work with AWS and with S3-compatible stores alike.

    Also handed to django-storages (``TenantS3Storage``) so media uploads behave like every other
    S3 call. ``timeout`` bounds connecting and each read, in seconds.
    """
    return Config(
        # botocore >= 1.36 computes a CRC checksum for every upload by default and, for streamed
        # bodies, sends it as an aws-chunked trailer; it also insists on validating response
        # checksums. Many S3-compatible stores (older MinIO, Ceph RGW, some SeaweedFS releases,
        # other vendors) reject or mangle those requests (XAmzContentSHA256Mismatch, "missing
        # content length", InvalidArgument). "when_required" restores the long-standing behaviour:
        # checksums only where the API demands one (e.g. DeleteObjects), which every store accepts.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        # Path-style URLs (endpoint/bucket/key): virtual-hosted style (bucket.endpoint) needs
        # wildcard DNS for the endpoint, which a store on 127.0.0.1:port or an internal host lacks.
        s3={"addressing_style": "path"},
        # Standard retry mode: bounded, jittered retries of throttling and transient errors.
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=timeout,
        read_timeout=timeout,
    )


def s3_client(
    endpoint_url: str,
    access_key: str,
    secret_key: str,
    region: str = "us-east-1",
    *,
    timeout: float = 10.0,
) -> S3Client:
    """An S3 client for ``endpoint_url`` (AWS or any compatible store), configured by client_config.

    ``timeout`` bounds connecting and each read, in seconds; a readiness check passes a short one.
    """
    # A private session: boto3's module-level default session is shared and not thread-safe.
    session = boto3.session.Session()
    client: S3Client = session.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=region,
        config=client_config(timeout),
    )
    return client


def ensure_bucket(client: S3Client, bucket: str) -> bool:
    """Create ``bucket`` unless it exists; return True if this call created it.

    Idempotent and safe against a concurrent creator. Raises botocore's ClientError when the bucket
    exists but belongs to someone else, or the credentials may not see it.
    """
    try:
        client.head_bucket(Bucket=bucket)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in _MISSING_BUCKET:
            raise
    region = client.meta.region_name
    try:
        if region and region != "us-east-1":
            # Outside us-east-1, AWS requires the region to be restated in the request body.
            location = cast("BucketLocationConstraintType", region)  # S3-compatibles accept any name
            client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": location})
        else:
            client.create_bucket(Bucket=bucket)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "BucketAlreadyOwnedByYou":
            return False  # created meanwhile by another process with our credentials
        raise
    return True
