; Long mode VGA MMIO with every access size: byte, word, dword and qword stores, a qword load
; back, and a REP MOVSW of a prepared line.
; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov rdi, 0xB8000
        mov byte [rdi], 'L'
        mov byte [rdi + 1], 0x0A
        mov word [rdi + 2], 0x0A4D        ; 'M'
        mov dword [rdi + 4], 0x0A210A36   ; '6' '!'
        mov rax, 0x0C340C360C200C20
        mov [rdi + 8], rax
        mov rbx, [rdi]                    ; read back four cells
        cld
        lea rsi, [rel line]
        lea rdi, [rdi + 160]
        mov ecx, linelen / 2
        rep movsw
        mov al, bl
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov rcx, 0x0A210A360A4D0A4C
        cmp rbx, rcx
        hlt
line:   db 'v', 0x1F, 'g', 0x1F, 'a', 0x1F
linelen equ $ - line
