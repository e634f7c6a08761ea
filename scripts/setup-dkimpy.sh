#!/usr/bin/env bash
# Creates a Python virtual environment with dkimpy (and PyNaCl for Ed25519) for the DKIM
# interoperability test (tests/auth_dkimpy.rs), and prints the line to export.
#
#   eval "$(scripts/setup-dkimpy.sh)"        # sets FIVEFIFTY_DKIMPY_PYTHON
#   scripts/setup-dkimpy.sh /some/venv        # another location (default /tmp/dkimpy-venv)
set -euo pipefail
venv="${1:-/tmp/dkimpy-venv}"
if ! "$venv/bin/python" -c 'import dkim, nacl' >/dev/null 2>&1; then
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check dkimpy pynacl >&2
fi
"$venv/bin/python" -c 'import dkim, nacl' >&2
echo "export FIVEFIFTY_DKIMPY_PYTHON=$venv/bin/python"
