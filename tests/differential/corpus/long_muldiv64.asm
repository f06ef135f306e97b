; Long mode 64-bit multiply and divide: MUL giving a 128-bit product, IMUL with two and three
; operands, DIV of a 128-bit dividend, IDIV with negative operands. Exit code 0.
; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov rax, 0xFFFFFFFFFFFFFFFF
        mov rbx, 0xFFFFFFFFFFFFFFFF
        mul rbx                 ; rdx:rax = 0xFFFFFFFFFFFFFFFE_0000000000000001
        mov r8, rdx
        mov r9, rax
        mov rax, 0x0000000100000000
        mov rdx, 0x5
        mov rcx, 0x10
        div rcx                 ; (5·2^64 + 2^32) / 16
        mov r10, rax
        mov r11, rdx
        mov rax, -1000000000000
        cqo
        mov rcx, 7
        idiv rcx
        mov r12, rax
        mov r13, rdx
        mov r14, -3
        imul r14, r12
        imul r15, r14, 1000
        mov al, 'M'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov rax, r12
        mov rbx, r13
        mov ecx, 0
        mov edx, 0
        cmp rbx, -6
        mov eax, 0
        out 0xF4, eax
