; Hostile: recursion without end; the stack wraps through memory and the guest's own code.
; expect-reason: expected
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ss, ax
        mov sp, 0x7C00
recurse:
        call recurse
