"""Our direct signer produces exactly what botocore's generate_presigned_post produces."""

import base64
import json
from datetime import UTC, datetime
from unittest import mock

import boto3
import pytest
from botocore.config import Config

from perf.signing import sign_post_policy

FROZEN = datetime(2026, 2, 3, 12, 0, 0, tzinfo=UTC)


def botocore_post(token, conditions, fields, key, expires_in):
    client = boto3.session.Session(
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        aws_session_token=token,
        region_name="eu-north-1",
    ).client("s3", config=Config(signature_version="s3v4"))
    with (
        mock.patch("botocore.signers.get_current_datetime", return_value=FROZEN.replace(tzinfo=None)),
        mock.patch("botocore.auth.get_current_datetime", return_value=FROZEN.replace(tzinfo=None)),
    ):
        return client.generate_presigned_post(
            Bucket="bucket-name", Key=key, Fields=dict(fields), Conditions=list(conditions), ExpiresIn=expires_in
        )


@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzEXAMPLETOKEN"])
def test_signature_and_policy_match_botocore(token):
    key = "ws/endClient/sr_1/passport_scan.pdf"
    fields = {"Content-Type": "application/pdf", "x-amz-meta-document-id": "d_1"}
    conditions = [
        ["eq", "$key", key],
        ["eq", "$Content-Type", "application/pdf"],
        ["content-length-range", 1, 15728640],
        ["eq", "$x-amz-meta-document-id", "d_1"],
    ]
    reference = botocore_post(token, conditions, fields, key, 3600)["fields"]

    ours = sign_post_policy(
        access_key="AKIDEXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        session_token=token,
        region="eu-north-1",
        bucket="bucket-name",
        key=key,
        fields=fields,
        conditions=conditions,
        expires_in=3600,
        now=FROZEN,
    )

    assert {name.lower(): value for name, value in ours.items()} == {
        name.lower(): value for name, value in reference.items()
    }
    assert json.loads(base64.b64decode(ours["Policy"]))["expiration"] == "2026-02-03T13:00:00Z"
    assert list(ours)[:3] == ["key", "Content-Type", "x-amz-meta-document-id"]
    assert list(ours)[-2:] == ["Policy", "X-Amz-Signature"]
    assert ("X-Amz-Security-Token" in ours) == (token is not None)
