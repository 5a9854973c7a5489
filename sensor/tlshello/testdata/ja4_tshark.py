#!/usr/bin/env python3
"""Independent JA4 computation for the tlshello tests.

tshark (Wireshark 4.0, which has no JA4 field of its own) dissects every TLS
ClientHello of a capture; this script builds JA4 from the dissected fields
following the public JA4 specification (FoxIO, technical_details/JA4.md) and
prints one line per ClientHello:

    <tcp.srcport> <frame> <JA4> <JA4_r>

Usage: ja4_tshark.py CAPTURE [tcp-port]   (default port 443)
The expected values in tlshello_test.go were produced with it.
"""
import hashlib
import subprocess
import sys
import xml.etree.ElementTree as ET

GREASE = {(i << 12) | 0x0A0A | (i << 4) for i in range(16)}
VERSIONS = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3",
            0x0200: "s2", 0x0002: "s2", 0x0100: "s1", 0xFEFF: "d1", 0xFEFD: "d2", 0xFEFC: "d3"}


def ival(f):
    return int(f.get("value"), 16)


def children(el, name):
    return [c for c in el if c.get("name") == name]


def first_desc(el, name):
    for c in el.iter("field"):
        if c.get("name") == name:
            return c
    return None


def hash12(s):
    return hashlib.sha256(s.encode()).hexdigest()[:12] if s else "000000000000"


def ja4(hs):
    ciphers = [ival(c) for c in hs.iter("field") if c.get("name") == "tls.handshake.ciphersuite"]
    ciphers = [c for c in ciphers if c not in GREASE]
    exts, sigs, versions, alpn, sni = [], [], [], None, False
    for ext in hs:
        t = children(ext, "tls.handshake.extension.type")
        if not t:
            continue
        typ = ival(t[0])
        if typ in GREASE:
            continue
        exts.append(typ)
        if typ == 0:
            sni = True
        elif typ == 13:
            sigs = [ival(f) for f in ext.iter("field") if f.get("name") == "tls.handshake.sig_hash_alg"]
            sigs = [s for s in sigs if s not in GREASE]
        elif typ == 43:
            versions = [ival(f) for f in ext.iter("field") if f.get("name") == "tls.handshake.extensions.supported_version"]
        elif typ == 16:
            a = first_desc(ext, "tls.handshake.extensions_alpn_str")
            if a is not None:
                alpn = bytes.fromhex(a.get("value"))
    versions = [v for v in versions if v not in GREASE]
    version = max(versions) if versions else ival(first_desc(hs, "tls.handshake.version"))
    if not alpn:
        a = "00"
    elif chr(alpn[0]).isalnum() and chr(alpn[-1]).isalnum() and alpn[0] < 128 and alpn[-1] < 128:
        a = chr(alpn[0]) + chr(alpn[-1])
    else:
        a = alpn.hex()[0] + alpn.hex()[-1]
    part_a = "t%s%s%02d%02d%s" % (VERSIONS.get(version, "00"), "d" if sni else "i", min(len(ciphers), 99), min(len(exts), 99), a)
    cs = ",".join("%04x" % c for c in sorted(ciphers))
    es = ",".join("%04x" % e for e in sorted(e for e in exts if e not in (0x0000, 0x0010)))
    if sigs:
        es += "_" + ",".join("%04x" % s for s in sigs)
    return "%s_%s_%s" % (part_a, hash12(cs), hash12(es)), "%s_%s_%s" % (part_a, cs, es)


def main():
    cap = sys.argv[1]
    port = sys.argv[2] if len(sys.argv) > 2 else "443"
    out = subprocess.run(["tshark", "-r", cap, "-d", "tcp.port==%s,tls" % port, "-Y",
                          "tls.handshake.type == 1 && tcp.dstport == %s" % port, "-T", "pdml"],
                         capture_output=True, check=True).stdout
    for pkt in ET.fromstring(out).iter("packet"):
        frame = first_desc(pkt, "frame.number").get("show")
        sport = first_desc(pkt, "tcp.srcport").get("show")
        for hs in pkt.iter("field"):
            if hs.get("name") == "tls.handshake" and any(
                    c.get("name") == "tls.handshake.type" and c.get("show") == "1" for c in hs):
                j, r = ja4(hs)
                print(sport, frame, j, r)


if __name__ == "__main__":
    main()
