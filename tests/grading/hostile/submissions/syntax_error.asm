; Broken: does not assemble.
; expect-reason: syntax_error.asm:5
bits 16
org 0x7C00
        mov ax, [bx+cx+dx]
