; Hostile: writes the exit port again and again with changing codes (the first one counts).
; expect-reason: exit code
; ringside: entry=real
bits 16
org 0x7C00
        mov eax, 7
.again: out 0xF4, eax
        inc eax
        jmp .again
