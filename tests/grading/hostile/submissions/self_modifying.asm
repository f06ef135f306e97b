; Hostile: rewrites the instruction it is about to execute, 5000 times over (each rewrite
; throws away translated code), then halts instead of leaving through the exit port.
; expect-reason: got hlt
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov cx, 5000
.loop:  mov byte [patch], 0x40      ; inc ax
patch:  nop
        mov byte [patch], 0x90      ; back to nop
        loop .loop
        hlt
