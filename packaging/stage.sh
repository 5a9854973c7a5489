#!/bin/sh
# Stages the generated files of the Debian package in $1 (see `make deb` and
# packaging/nfpm.yaml): the packaged config, the gzipped man page and the
# gzipped changelog. $2 is the package version (packaging/version.sh), $3
# the git revision ("" outside git), $4 SOURCE_DATE_EPOCH. The binary is
# built by the Makefile.
set -eu
stage=$1 version=$2 revision=${3:-} epoch=${4:-0}
cd "$(dirname "$0")/.."
mkdir -p "$stage"

# The packaged config is the documented example (configs/wardwatch.yml)
# with three changes: run_as is the wardwatch user the package creates;
# policy.file is the policy the package installs; and capture.interfaces is
# empty, its example entry commented out, because the SPAN port is the one
# thing the installer must set (`wardwatch run` refuses to start until it
# is set).
awk '
	/^[^ #]/ { section = $1 }
	section == "run_as:" && /^  user:/ { print "  user: wardwatch"; next }
	section == "run_as:" && /^  group:/ { print "  group: wardwatch"; next }
	section == "policy:" && /^  file:/ { print "  file: /etc/wardwatch/policy.yml"; next }
	section == "capture:" && /^  interfaces:/ { print "  interfaces: []"; inlist = 1; next }
	inlist && /^$/ { inlist = 0 }
	inlist && /^    [^ #]/ { sub(/^    /, "    # "); print; next }
	inlist && /^      [^#]/ { sub(/^    /, "    # "); print; next }
	{ print }
' configs/wardwatch.yml > "$stage/wardwatch.yml"

gzip -9n < packaging/wardwatch.1 > "$stage/wardwatch.1.gz"

# packaging/changelog, with an entry for this build on top when it is a
# snapshot (its version is not the newest entry's).
{
	top=$(sed -n '1s/^wardwatch (\([^)]*\)).*/\1/p' packaging/changelog)
	if [ "$version" != "$top" ]; then
		printf 'wardwatch (%s) UNRELEASED; urgency=medium\n\n' "$version"
		printf '  * Snapshot build of git revision %s.\n\n' "${revision:-unknown}"
		printf ' -- %s  %s\n\n' "Wardwatch maintainers <wardwatch@users.noreply.github.com>" \
			"$(LC_ALL=C date -u -d "@$epoch" '+%a, %d %b %Y %H:%M:%S +0000')"
	fi
	cat packaging/changelog
} | gzip -9n > "$stage/changelog.gz"
