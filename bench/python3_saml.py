#!/usr/bin/python3
"""Throughput of python3-saml (Debian's python3-onelogin-saml2) validating
the same response samllint lints: is_valid with the IdP certificate, the AWS
service provider settings and a pinned clock. Prints responses per second.

usage: python3_saml.py RESPONSE.b64 IDP_CERT.pem ITERATIONS
"""
import base64, sys, time, calendar

from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2 import utils as saml_utils

resp_file, cert_file, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
b64 = "".join(open(resp_file).read().split())
cert = "".join(l for l in open(cert_file).read().splitlines() if "CERTIFICATE" not in l)

# Pin the clock one minute after the response's IssueInstant, as samllint's
# benchmark does.
pinned = calendar.timegm((2026, 11, 20, 10, 1, 0))
saml_utils.OneLogin_Saml2_Utils.now = staticmethod(lambda: pinned)

settings = OneLogin_Saml2_Settings({
    "strict": True,
    "sp": {"entityId": "urn:amazon:webservices",
           "assertionConsumerService": {"url": "https://signin.aws.amazon.com/saml"}},
    "idp": {"entityId": "http://www.okta.com/exk1fxph8bAbCdEf0h7",
            "singleSignOnService": {"url": "https://example.okta.com/sso"},
            "x509cert": cert},
    "security": {"wantAssertionsSigned": True, "wantMessagesSigned": True},
})
request = {"https": "on", "http_host": "signin.aws.amazon.com", "script_name": "/saml"}

first = OneLogin_Saml2_Response(settings, b64)
if not first.is_valid(request, raise_exceptions=True):
    sys.exit("python3-saml rejects the sample: " + str(first.get_error()))

start = time.perf_counter()
for _ in range(n):
    r = OneLogin_Saml2_Response(settings, b64)
    assert r.is_valid(request)
elapsed = time.perf_counter() - start
print("%.1f" % (n / elapsed))
