; Hostile: includes /etc/passwd into the guest to leak it through the console.
; expect-reason: refused
; ringside: entry=real
bits 16
org 0x7C00
%include "/etc/passwd"
        hlt
