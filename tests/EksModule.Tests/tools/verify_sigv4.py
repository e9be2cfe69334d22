#!/usr/bin/env python3
"""Re-sign recorded requests with botocore's SigV4Auth and compare with the signature we sent.

Input (JSON file, argv[1]): {"accessKey", "secretKey", "sessionToken" (or null),
  "requests": [{"service", "region", "method", "url", "headers": [[name, value], ...], "body": base64}]}
Output (stdout, JSON): one result per request: {"ok", "ours", "botocore", "problems": [...]}.
botocore signs for the service and region the test expects, not the ones in our Authorization
header, so a wrong credential scope shows up as a signature mismatch as well as a problem.
"""
import base64
import datetime
import hashlib
import json
import re
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$")


def verify(spec, credentials):
    headers = [(name, value) for name, value in spec["headers"]]
    lower = {}
    for name, value in headers:
        lower.setdefault(name.lower(), []).append(value)
    body = base64.b64decode(spec["body"])
    problems = []

    authorization = lower.get("authorization", [""])[0]
    match = AUTH.match(authorization)
    if not match:
        return {"ok": False, "ours": authorization, "botocore": None, "problems": ["no SigV4 Authorization header"]}
    scope, signed, ours = match.groups()
    signed_names = signed.split(";")
    scope_parts = scope.split("/")
    expected_scope = [credentials.access_key, None, spec["region"], spec["service"], "aws4_request"]
    for i, want in enumerate(expected_scope):
        if want is not None and scope_parts[i] != want:
            problems.append(f"credential scope part {i} is {scope_parts[i]!r}, expected {want!r}")

    amz_date = lower.get("x-amz-date", [None])[0]
    if amz_date is None:
        return {"ok": False, "ours": ours, "botocore": None, "problems": problems + ["no X-Amz-Date header"]}
    if scope_parts[1] != amz_date[:8]:
        problems.append(f"scope date {scope_parts[1]} does not match X-Amz-Date {amz_date}")

    for name in signed_names:
        if name not in lower:
            problems.append(f"signed header {name!r} was not sent")
    for required in ("host", "x-amz-date"):
        if required not in signed_names:
            problems.append(f"{required} is not signed")
    if credentials.token and "x-amz-security-token" not in signed_names:
        problems.append("x-amz-security-token is not signed")
    if credentials.token and lower.get("x-amz-security-token", [None])[0] != credentials.token:
        problems.append("X-Amz-Security-Token header is missing or wrong")
    if not credentials.token and "x-amz-security-token" in lower:
        problems.append("X-Amz-Security-Token sent without a session token")
    declared = lower.get("x-amz-content-sha256", [None])[0]
    if declared is not None and declared != hashlib.sha256(body).hexdigest():
        # botocore trusts this header for the payload hash, so check it against the body ourselves.
        problems.append("X-Amz-Content-SHA256 does not match the body")

    request = AWSRequest(
        method=spec["method"],
        url=spec["url"],
        headers={name: ",".join(lower[name]) for name in signed_names if name in lower and name != "x-amz-security-token"},
        data=body,
    )
    fixed = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    original = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *a, **k: fixed
    try:
        botocore.auth.SigV4Auth(credentials, spec["service"], spec["region"]).add_auth(request)
    finally:
        botocore.auth.get_current_datetime = original
    theirs = AUTH.match(request.headers["Authorization"])
    their_signed = theirs.group(2).split(";")
    if their_signed != signed_names:
        problems.append(f"botocore signs {their_signed}, we signed {signed_names}")
    if theirs.group(3) != ours:
        problems.append("signature differs from botocore's")
    return {"ok": not problems, "ours": ours, "botocore": theirs.group(3), "problems": problems}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        job = json.load(f)
    credentials = Credentials(job["accessKey"], job["secretKey"], job.get("sessionToken"))
    json.dump([verify(spec, credentials) for spec in job["requests"]], sys.stdout)


if __name__ == "__main__":
    main()
