#!/usr/bin/python3
"""Throughput of Debian's python3-xmlsec (libxmlsec1 through lxml, in
process) verifying both signatures of the response samllint lints, with
the IdP certificate: C speed, and no SAML checks at all. Prints responses
per second.

usage: python3_xmlsec.py RESPONSE.b64 IDP_CERT.pem ITERATIONS
"""
import base64, sys, time

import xmlsec
from lxml import etree

resp_file, cert_file, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
raw = base64.b64decode("".join(open(resp_file).read().split()))
key = xmlsec.Key.from_file(cert_file, xmlsec.constants.KeyDataFormatCertPem)
DS = "http://www.w3.org/2000/09/xmldsig#"


def verify(xml):
    root = etree.fromstring(xml)
    xmlsec.tree.add_ids(root, ["ID"])
    sigs = root.findall(".//{%s}Signature" % DS)
    assert len(sigs) == 2, len(sigs)
    for sig in sigs:
        ctx = xmlsec.SignatureContext()
        ctx.key = key
        ctx.verify(sig)  # raises on failure


verify(raw)
start = time.perf_counter()
for _ in range(n):
    verify(raw)
elapsed = time.perf_counter() - start
print("%.1f" % (n / elapsed))
