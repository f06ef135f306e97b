; Long mode stack and calls: recursive Fibonacci with CALL/RET and PUSH/POP of 64-bit
; registers, an indirect call through a table, and the result printed in decimal.
; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov rdi, 20
        call fib                ; 6765
        mov r12, rax
        lea rbx, [rel table]
        mov rdi, 5
        call [rbx + 8]          ; square: 25
        mov r13, rax
        mov rax, r12
        call print_dec
        mov r14, rsp            ; back at the entry stack pointer
        cmp r12, 6765
        hlt

fib:    cmp rdi, 2
        jb .base
        push rdi
        dec rdi
        call fib
        pop rdi
        push rax
        sub rdi, 2
        call fib
        pop rcx
        add rax, rcx
        ret
.base:  mov rax, rdi
        ret

double: lea rax, [rdi + rdi]
        ret
square: mov rax, rdi
        imul rax, rdi
        ret

print_dec:
        mov rcx, 0
        mov rbx, 10
.d:     xor rdx, rdx
        div rbx
        push rdx
        inc rcx
        cmp rax, 0
        jne .d
.o:     pop rax
        add al, '0'
        out 0xE9, al
        dec rcx
        jnz .o
        mov al, 10
        out 0xE9, al
        ret
align 8
table:  dq double, square
