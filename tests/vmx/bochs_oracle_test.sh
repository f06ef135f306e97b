#!/usr/bin/env bash
# bochs_oracle_test.sh RINGSIDE: guest-written hypervisors must behave the same under Ringside's
# VT-x model (emu backend) and under Bochs 2.7's VMX emulation: the same console output, which
# carries each VMX instruction's outcome (CF/ZF, VM-instruction error) and each exit reason the
# guest hypervisor saw. Exit status 77 (skipped) when Bochs is not installed.
set -uo pipefail
ringside=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
guests=("$here"/oracle/*.asm "$repo/lessons/07-vtx-lifecycle/tiny_vmm.asm"
  "$repo/lessons/11-ept/ept_vmm.asm" "$repo/tests/guests/nested_ept_long.asm")

command -v bochs-bin >/dev/null || { echo "SKIP: bochs is not installed (scripts/setup installs it)"; exit 77; }
failed=0
for guest in "${guests[@]}"; do
  name=${guest#"$repo"/}
  ours=$("$ringside" run --json "$guest" | python3 -c 'import json,sys; print(json.load(sys.stdin)["console"], end="")')
  theirs=$("$here/bochs/run_bochs.sh" "$guest" 30)
  status=$?
  if ((status == 77)); then
    echo "SKIP: Bochs cannot run here"
    exit 77
  fi
  if [[ -z $theirs ]]; then
    echo "FAIL $name: Bochs printed nothing (status $status)"
    failed=1
  elif [[ $ours != "$theirs" ]]; then
    echo "FAIL $name: Ringside and Bochs differ"
    diff <(echo "$ours") <(echo "$theirs") | sed 's/^/  /'
    failed=1
  else
    echo "ok   $name ($(echo "$ours" | wc -l) lines)"
  fi
done
exit $failed
