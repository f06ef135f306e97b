#!/usr/bin/env bash
# run_bochs.sh GUEST.asm|GUEST.bin [max-seconds]: boots a Ringside real-mode guest (org 0x7C00)
# under Bochs 2.7 with a Skylake-X CPU model (VMX with EPT) and prints what the guest wrote to
# port 0xE9. Bochs stops being waited for once the guest halts with interrupts off, triple
# faults, or max-seconds pass. Exit status 77 when Bochs is not installed (ctest: skipped).
set -uo pipefail
guest=$1
limit=${2:-20}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v bochs-bin >/dev/null || { echo "run_bochs: bochs is not installed" >&2; exit 77; }
bios=/usr/share/bochs/BIOS-bochs-latest
vgabios=/usr/share/vgabios/vgabios.bin
[[ -f $vgabios ]] || vgabios=/usr/share/bochs/VGABIOS-lgpl-latest
[[ -f $bios ]] || { echo "run_bochs: $bios missing (package bochsbios)" >&2; exit 77; }

work=$(mktemp -d)
[[ -n ${KEEP:-} ]] && echo "run_bochs: keeping $work" >&2 || trap 'rm -rf "$work"' EXIT
if [[ $guest == *.asm ]]; then
  nasm -f bin -I "$(dirname "$guest")/" -o "$work/guest.bin" "$guest" || exit 2
else
  cp "$guest" "$work/guest.bin"
fi
nasm -f bin -o "$work/boot.bin" "$here/boot_sector.asm" || exit 2
truncate -s 1474560 "$work/floppy.img"
dd if="$work/boot.bin" of="$work/floppy.img" conv=notrunc status=none
dd if="$work/guest.bin" of="$work/floppy.img" bs=512 seek=1 conv=notrunc status=none

cat >"$work/bochsrc" <<RC
megs: 32
cpu: model=corei7_skylake_x, count=1, ips=50000000, reset_on_triple_fault=0
romimage: file=$bios
vgaromimage: file=$vgabios
floppya: 1_44=$work/floppy.img, status=inserted
boot: floppy
display_library: rfb, options="timeout=0"
port_e9_hack: enabled=1
log: $work/bochs.log
panic: action=fatal
error: action=report
info: action=report
RC

# Debian's Bochs has its debugger built in: it stops at a prompt, so feed it "c" and keep its
# input open until the guest is done.
mkfifo "$work/in"
(cd "$work" && exec bochs-bin -q -f "$work/bochsrc" <"$work/in" >"$work/out" 2>"$work/err") &
bochs=$!
exec 3>"$work/in"
sleep 0.3
echo c >&3
for ((tick = 0; tick < limit * 10; ++tick)); do
  if grep -q -i 'HLT instruction with IF=0\|triple fault\|entering shutdown state' "$work/bochs.log" 2>/dev/null; then
    sleep 0.2 # let the last port writes reach the output
    break
  fi
  kill -0 $bochs 2>/dev/null || break
  sleep 0.1
done
kill $bochs 2>/dev/null
exec 3>&-
wait $bochs 2>/dev/null
# The guest's port 0xE9 bytes follow the debugger's "c" command; drop the debugger's own lines.
sed -n '/^<bochs:1> c$/,$p' "$work/out" | sed '1d' |
  grep -v '^<bochs:\|^(0)\|^Next at\|^\[' | tr -d '\r'
