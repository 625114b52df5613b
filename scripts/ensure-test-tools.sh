#!/usr/bin/env bash
# Runs before `npm test` (npm's pretest): installs the Debian packages that some tests drive,
# when they are missing.
#   chromium - the guide's browser test (playwright-core drives it; nothing downloads a browser)
#   openssl  - the STARTTLS test makes its certificate with it
set -euo pipefail
missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  # Not fatal here: the tests that need them fail and say what is missing.
  echo "npm test: missing Debian packages ${missing[*]}; install them with: apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "npm test: installing from Debian: ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
