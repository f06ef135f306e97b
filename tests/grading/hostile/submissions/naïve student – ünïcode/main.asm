; Not hostile: a correct solution in a folder whose name has spaces and Unicode.
; expect-reason: full
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov si, msg
.next:  lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp .next
.done:  xor eax, eax
        out 0xF4, eax
        hlt
msg:    db "ok", 10, 0
