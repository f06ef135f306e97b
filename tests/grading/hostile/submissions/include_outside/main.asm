; Hostile: a student's folder that includes a file from outside it.
; expect-reason: refused
; ringside: entry=real
bits 16
org 0x7C00
%include "../../lab.toml"
        hlt
