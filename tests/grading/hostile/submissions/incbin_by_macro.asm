; Hostile: hides incbin behind a macro so a source scan cannot see the file name.
; expect-reason: refused
; ringside: entry=real
bits 16
org 0x7C00
%define SLURP incbin
        hlt
data:   SLURP "/etc/hostname"
