; Hostile: self-modifying code. Rewrites the immediate of an instruction a few bytes ahead in
; the same basic block ('A' becomes 'B'), then rewrites the opcode of the next one (a NOP
; becomes INC AL), then runs both: the console must show the new instructions' effect, "C".
; ringside: entry=real
; expect: emu=exit-port kvm=exit-port
; console: C
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov byte [patch1 + 1], 'B'
        mov byte [patch2], 0xFE         ; FE C0 = inc al (was 90 90)
        mov byte [patch2 + 1], 0xC0
patch1: mov al, 'A'
patch2: nop
        nop
        out 0xE9, al
        xor eax, eax
        out 0xF4, eax
        hlt
