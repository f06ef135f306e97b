#!/usr/bin/env bash
# Runs a GUI test binary with a display: the caller's, else a private Xvfb (xvfb-run -a picks a
# free server number, so parallel ctest runs do not collide). Without either it skips: exit 77,
# which ctest reports as "Skipped", with the reason on stdout.
set -u
if [[ -n ${DISPLAY:-} ]]; then
  exec "$@"
fi
if command -v xvfb-run >/dev/null 2>&1; then
  exec xvfb-run -a -s "-screen 0 1920x1200x24" "$@"
fi
echo "skipped: no display and no xvfb-run to make one (scripts/setup installs xvfb)"
exit 77
