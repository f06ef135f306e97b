; Long mode 64-bit ALU on RAX..R15: ADD/SUB with carries across 64 bits, AND/OR/XOR with
; sign-extended immediates, NEG/NOT, INC/DEC, and 32-bit writes zero-extending to 64 bits.
; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov rax, 0xFFFFFFFFFFFFFFFF
        add rax, 2              ; 1, CF
        mov rbx, 0x7FFFFFFFFFFFFFFF
        adc rbx, 0              ; 0x8000000000000000
        mov rcx, 0x123456789
        sub rcx, 0x23456789A
        mov rdx, -1
        mov edx, 0x12345678     ; zero-extends: 0x12345678
        mov r8, 0x0F0F0F0F0F0F0F0F
        and r8, -256            ; 0x0F0F0F0F0F0F0F00
        mov r9, 0x1000
        or r9, -0x10
        mov r10, 0xAAAAAAAAAAAAAAAA
        xor r10, 0x55555555     ; sign-extended immediate
        mov r11, 12345
        neg r11
        mov r12, 0x00FF00FF00FF00FF
        not r12
        mov r13, -1
        inc r13                 ; 0
        mov r14, 0
        dec r14
        mov r15d, 0xFFFFFFFF
        add r15, 1              ; 0x100000000
        mov al, 'A'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov rsi, rbx
        mov rdi, rcx
        cmp rsi, rdi
        hlt
