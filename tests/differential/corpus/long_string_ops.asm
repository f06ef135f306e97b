; Long mode string instructions: REP MOVSQ, REP STOSQ, REP MOVSB backwards (DF = 1),
; REPE CMPSQ and REPNE SCASB. Prints the copied text.
; ringside: entry=long load=0x10000
bits 64
org 0x10000
        cld
        mov rsi, src
        mov rdi, 0x200000
        mov rcx, 4
        rep movsq
        mov rdi, 0x201000
        mov rax, 0x0123456789ABCDEF
        mov rcx, 64
        rep stosq
        std
        lea rsi, [src + 31]
        mov rdi, 0x202000 + 31
        mov rcx, 32
        rep movsb
        cld
        mov rsi, src
        mov rdi, 0x202000
        mov rcx, 4
        repe cmpsq              ; all equal: rcx = 0
        mov r8, rcx
        mov rdi, src
        mov al, '!'
        mov rcx, 32
        repne scasb
        mov r9, rcx
        mov rsi, 0x200000
        mov rcx, 32
.p:     lodsb
        out 0xE9, al
        dec rcx
        jnz .p
        mov al, 10
        out 0xE9, al
        cmp r9, 0
        hlt
align 8
src:    db "long mode strings, 32 bytes! ok."
