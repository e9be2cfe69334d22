"""Prints awscli's own EKS token for fixed inputs: the reference our minter must equal byte for byte.

usage: awscli_token.py REGION CLUSTER_ID ACCESS_KEY SECRET_KEY SESSION_TOKEN|- YYYYmmddTHHMMSS
"""
import datetime
import sys
from unittest import mock

import botocore.session
from awscli.customizations.eks.get_token import STSClientFactory, TokenGenerator

region, cluster, access_key, secret_key, session_token, stamp = sys.argv[1:7]
fixed = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%S")
session = botocore.session.Session()
session.set_credentials(access_key, secret_key, None if session_token == "-" else session_token)
# botocore's SigV4 reads the clock through this one function; pinning it fixes X-Amz-Date.
with mock.patch("botocore.auth.get_current_datetime", return_value=fixed):
    sts = STSClientFactory(session).get_sts_client(region_name=region)
    print(TokenGenerator(sts).get_token(cluster))
