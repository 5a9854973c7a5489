#!/bin/sh
# Prints the raw_sig p0f 3.09b (Debian package p0f) reports for every SYN and
# SYN+ACK it fingerprints in the shared captures, one line each:
#   <capture> <syn|syn+ack> <sender addr/port> <raw_sig>
# (p0f's block header names the client first; a SYN+ACK's sender is the server).
# The expected values of tcpsig_test.go (testdata/p0f_expected.txt) were
# produced with it: p0f is the reference implementation of the signature.
# Usage (from the repository root): sh sensor/tcpsig/testdata/p0f_rawsig.sh > sensor/tcpsig/testdata/p0f_expected.txt
set -e
cd "$(dirname "$0")/../../../../shared/pcaps"
echo "# p0f 3.09b raw_sig of each SYN / SYN+ACK (sensor/tcpsig/testdata/p0f_rawsig.sh)"
for f in chrissanders-packets/passiveosfingerprinting.pcapng zeek/wikipedia.pcap zeek/var-services-std-ports.pcap \
	ndpi/android.pcap ndpi/1kxun.pcap ndpi/alexa-app.pcapng ndpi/starcraft_battle.pcap chrissanders-packets/arppoison.pcapng \
	arkime/arkime_synthetic.pcap; do
	p0f -r "$f" 2>/dev/null | awk -v f="$f" '
		/^\.-\[ .* \((syn|syn\+ack)\) \]-$/ { type = $(NF-1); gsub(/[()]/, "", type); src = (type == "syn") ? $2 : $4; next }
		/raw_sig/ && type != "" { sub(/^\| raw_sig  = /, ""); print f, type, src, $0; type = "" }'
done
