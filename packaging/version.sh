#!/bin/sh
# Prints the version of this build, used for the binary (`wardwatch version`,
# wardwatch_build_info) and the Debian package alike:
#
#   at tag v1.2.3                 1.2.3
#   3 commits after v1.2.3        1.2.3+3.g0b24774
#   at tag v1.3.0-rc1             1.3.0~rc1 (sorts before 1.3.0)
#   no v* tag yet                 the newest packaging/changelog entry as a
#                                 snapshot before it: 0.1.0~git20261202.0b24774
#   not a git checkout            the newest packaging/changelog entry
#
# "+dirty" is appended when tracked files have uncommitted changes. Every
# form is a valid Debian upstream version and sorts in commit order.
set -eu
cd "$(dirname "$0")/.."
base=$(sed -n '1s/^wardwatch (\([^)]*\)).*/\1/p' packaging/changelog)
[ -n "$base" ] || { echo "packaging/version.sh: no version in packaging/changelog" >&2; exit 1; }
if ! git rev-parse --verify -q HEAD >/dev/null 2>&1; then
	echo "$base"
	exit 0
fi
if v=$(git describe --tags --match 'v[0-9]*' 2>/dev/null); then
	v=$(echo "$v" | sed -e 's/^v//' -e 's/-\([0-9][0-9]*\)-g\([0-9a-f]*\)$/+\1.g\2/' -e 's/-\(rc\|alpha\|beta\)/~\1/')
else
	v="$base~git$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d).$(git rev-parse --short=7 HEAD)"
fi
git diff --quiet HEAD -- 2>/dev/null || v="$v+dirty"
echo "$v"
