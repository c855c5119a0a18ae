"""The media store on S3 or anything that speaks its HTTP API (MinIO, Ceph RGW, Garage, R2).

Objects are published whole for the same reason as with files, but by S3's own rule: an object
appears only once its PUT, or the CompleteMultipartUpload of a multipart upload, succeeds. A copy that
fails half-way therefore never shows a half-written object; its parts are aborted. Keys are those of
``FileStorage``, under an optional prefix inside the bucket. Credentials come from the standard AWS
chain (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, a profile, an instance role), never from the
URL, which ends up in logs and process listings.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from media.storage import MediaNotFound, MediaStorageError, ObjectInfo, check_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

#: The most keys S3 lists in one page and deletes in one request.
MAX_BATCH = 1000
BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
OPTIONS = ("endpoint", "region", "path_style")
NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


@dataclasses.dataclass(frozen=True, slots=True)
class S3Location:
    bucket: str
    #: ``""`` or a folder ending in ``/`` that every key is stored under.
    prefix: str = ""
    endpoint: str | None = None
    region: str | None = None
    #: The bucket in the path rather than the host name, as most self-hosted servers need; when
    #: false, botocore chooses.
    path_style: bool = False


def parse_s3_url(url: str) -> S3Location:
    """``s3://bucket/optional/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&path_style=true``."""
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise ValueError(f"media URL {url!r}: not an s3:// URL")
    if "@" in parts.netloc:
        raise ValueError(
            "S3 media URL: credentials do not belong in the URL; set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or use an AWS profile or role"
        )
    if not BUCKET.fullmatch(parts.netloc):
        raise ValueError(f"media URL {url!r}: the bucket must be 3-63 lowercase letters, digits, '.', '-'")
    if parts.fragment:
        raise ValueError(f"media URL {url!r}: no #fragment")
    options = _options(url, parts.query)
    return S3Location(
        bucket=parts.netloc,
        prefix=_prefix(url, parts.path),
        endpoint=_endpoint(url, options.get("endpoint")),
        region=_non_empty(url, "region", options.get("region")),
        path_style=_flag(url, "path_style", options.get("path_style", "false")),
    )


def _options(url: str, query: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise ValueError(f"media URL {url!r}: malformed query") from None
    names = [name for name, _ in pairs]
    for name in names:
        if name not in OPTIONS:
            raise ValueError(f"media URL {url!r}: unknown option {name!r}; known: {', '.join(OPTIONS)}")
        if names.count(name) > 1:
            raise ValueError(f"media URL {url!r}: option {name!r} given twice")
    return dict(pairs)


def _prefix(url: str, path: str) -> str:
    folder = path.strip("/")
    if not folder:
        return ""
    try:
        return check_key(folder) + "/"
    except ValueError:
        raise ValueError(f"media URL {url!r}: the prefix {folder!r} is not a valid key folder") from None


def _endpoint(url: str, endpoint: str | None) -> str | None:
    if endpoint is None:
        return None
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise ValueError(f"media URL {url!r}: endpoint must be http(s)://host[:port] without credentials")
    return endpoint


def _non_empty(url: str, name: str, value: str | None) -> str | None:
    if value == "":
        raise ValueError(f"media URL {url!r}: {name} is empty")
    return value


def _flag(url: str, name: str, value: str) -> bool:
    if value not in ("true", "false"):
        raise ValueError(f"media URL {url!r}: {name} must be true or false, not {value!r}")
    return value == "true"


def s3_client(location: S3Location) -> S3Client:
    """Checksums only where S3 requires them: several S3-compatible servers refuse the newer
    default integrity headers. Path-style addressing is what most self-hosted servers need."""
    config = Config(
        s3={"addressing_style": "path" if location.path_style else "auto"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = boto3.session.Session()
    return session.client("s3", endpoint_url=location.endpoint, region_name=location.region, config=config)


def _is_not_found(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in NOT_FOUND


class S3Storage:
    """Objects in ``bucket`` under ``prefix``; the bucket must exist (it is provisioned, not made here)."""

    def __init__(
        self, client: S3Client, bucket: str, prefix: str = "", *, page_size: int = MAX_BATCH
    ) -> None:
        if not 1 <= page_size <= MAX_BATCH:
            raise ValueError(f"page_size must be 1..{MAX_BATCH}")
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.page_size = page_size

    @classmethod
    def from_url(cls, url: str, *, page_size: int = MAX_BATCH) -> S3Storage:
        location = parse_s3_url(url)
        return cls(s3_client(location), location.bucket, location.prefix, page_size=page_size)

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put_file(self, key: str, source: Path) -> None:
        """Past boto3's threshold (8 MiB) this is a multipart upload, sent in parallel parts; S3 makes
        the object visible only when the upload completes, and a failure aborts the parts."""
        name = self._name(key)
        with source.open("rb") as data:
            self.client.upload_fileobj(data, self.bucket, name)

    def put_bytes(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data)

    def get_file(self, key: str, target: Path) -> None:
        """Large objects download as parallel byte ranges into a temporary file renamed at the end."""
        name = self._name(key)
        try:
            self.client.download_file(self.bucket, name, str(target))
        except ClientError as error:
            if _is_not_found(error):
                raise MediaNotFound(key) from None
            raise

    def size(self, key: str) -> int:
        return self.stat(key).size

    def stat(self, key: str) -> ObjectInfo:
        """The ETag is S3's, quoted as S3 sends it: an MD5 for a single PUT, ``"<md5>-<parts>"`` for a
        multipart upload; either way it changes when the object is replaced."""
        name = self._name(key)
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _is_not_found(error):
                raise MediaNotFound(key) from None
            raise
        return ObjectInfo(size=head["ContentLength"], etag=head["ETag"])

    def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"bad byte range {start}..{end}")
        if end == start:
            self.stat(key)
            return b""
        name = self._name(key)
        wanted = f"bytes={start}-" if end is None else f"bytes={start}-{end - 1}"
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=name, Range=wanted)
        except ClientError as error:
            if _is_not_found(error):
                raise MediaNotFound(key) from None
            if error.response.get("Error", {}).get("Code") == "InvalidRange":
                return b""
            raise
        return found["Body"].read()

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except MediaNotFound:
            return False
        return True

    def keys(self, prefix: str) -> list[str]:
        """The prefix is a folder: ``videos/v1`` lists ``videos/v1/…``, never ``videos/v10/…``."""
        return sorted(self._names_under(prefix))

    def _names_under(self, prefix: str) -> list[str]:
        folder = self._name(prefix) + "/"
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=folder, PaginationConfig={"PageSize": self.page_size}
        )
        return [item["Key"][len(self.prefix) :] for page in pages for item in page.get("Contents", [])]

    def delete_prefix(self, prefix: str) -> int:
        """Like a folder removed with ``rm -r``: everything under it, or the one object named so."""
        keys = self._names_under(prefix)
        if not keys and self.exists(prefix):
            keys = [prefix]
        for first in range(0, len(keys), self.page_size):
            self._delete([self.prefix + key for key in keys[first : first + self.page_size]])
        return len(keys)

    def _delete(self, names: list[str]) -> None:
        answer = self.client.delete_objects(
            Bucket=self.bucket, Delete={"Objects": [{"Key": name} for name in names], "Quiet": True}
        )
        errors = answer.get("Errors", [])
        if errors:
            first = errors[0]
            raise MediaStorageError(
                f"S3 refused to delete {len(errors)} object(s) in {self.bucket!r}, "
                f"first {first.get('Key')!r}: {first.get('Code')} {first.get('Message')}"
            )
