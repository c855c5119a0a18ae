"""How an ``s3://`` media URL reads: bucket, prefix, endpoint, region, addressing; never credentials."""

from __future__ import annotations

import pytest

from media.s3 import S3Location, parse_s3_url


def test_a_bare_bucket_has_no_prefix_and_the_aws_defaults() -> None:
    assert parse_s3_url("s3://strom-media") == S3Location(bucket="strom-media")


def test_a_self_hosted_store_names_its_endpoint_region_and_path_style() -> None:
    url = "s3://media.example/strom/prod/?endpoint=http://127.0.0.1:9000&region=eu-west-1&path_style=true"
    assert parse_s3_url(url) == S3Location(
        bucket="media.example",
        prefix="strom/prod/",
        endpoint="http://127.0.0.1:9000",
        region="eu-west-1",
        path_style=True,
    )


def test_an_escaped_endpoint_reads_the_same_as_a_plain_one() -> None:
    location = parse_s3_url("s3://bucket?endpoint=https%3A%2F%2Fs3.example.com%3A443&path_style=false")
    assert location.endpoint == "https://s3.example.com:443"
    assert location.path_style is False


def test_credentials_in_the_url_are_refused_without_echoing_the_secret() -> None:
    with pytest.raises(ValueError, match="AWS_ACCESS_KEY_ID") as refused:
        parse_s3_url("s3://AKIAEXAMPLE:hunter2@bucket/prefix")
    assert "hunter2" not in str(refused.value)
    assert "AKIAEXAMPLE" not in str(refused.value)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///srv/media", "not an s3:// URL"),
        ("s3://", "bucket"),
        ("s3://ab", "bucket"),
        ("s3://Media", "bucket"),
        ("s3://bucket:9000/prefix", "bucket"),
        ("s3://bucket/../etc", "prefix"),
        ("s3://bucket/a//b", "prefix"),
        ("s3://bucket/.hidden", "prefix"),
        ("s3://bucket?endpint=http://h", "unknown option 'endpint'"),
        ("s3://bucket?region=a&region=b", "'region' given twice"),
        ("s3://bucket?region=", "region is empty"),
        ("s3://bucket?path_style=yes", "path_style must be true or false"),
        ("s3://bucket?endpoint=ftp://h", "endpoint"),
        ("s3://bucket?endpoint=127.0.0.1:9000", "endpoint"),
        ("s3://bucket?endpoint=http://key:secret@h", "endpoint"),
        ("s3://bucket?path_style", "malformed query"),
        ("s3://bucket?&", "malformed query"),
        ("s3://bucket#frag", "fragment"),
    ],
)
def test_a_malformed_url_is_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_s3_url(url)
