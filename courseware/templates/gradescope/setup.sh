#!/usr/bin/env bash
# Gradescope autograder setup: installs Ringside once when the autograder image is built.
# Ringside builds from Debian 12 packages; on Gradescope's Ubuntu base images scripts/setup
# installs their Ubuntu equivalents where the names match (check its output).
set -euo pipefail
RINGSIDE_REPO=${RINGSIDE_REPO:-https://github.com/YOUR-ORG/ringside.git}
apt-get update -q
apt-get install -y -q --no-install-recommends git ca-certificates sudo
git clone --depth 1 "$RINGSIDE_REPO" /opt/ringside
/opt/ringside/scripts/setup
/opt/ringside/scripts/build
ln -sf /opt/ringside/build/app/ringside /usr/local/bin/ringside
