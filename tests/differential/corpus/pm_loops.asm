; Protected mode loops: LOOP, JECXZ, a counted sum 1..1000, Fibonacci to 40 with the result
; printed in hex, and a LOOPNE search.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        xor eax, eax
        mov ecx, 1000
.sum:   add eax, ecx
        loop .sum               ; eax = 500500
        mov [sum], eax
        xor ecx, ecx
        jecxz .skip
        mov dword [sum], 0      ; never reached
.skip:  mov eax, 0
        mov ebx, 1
        mov ecx, 40
.fib:   mov edx, eax
        add edx, ebx
        mov eax, ebx
        mov ebx, edx
        loop .fib               ; eax = fib(40) = 102334155
        mov [fib], eax
        call print_hex
        mov edi, list
        mov ecx, 8
        mov al, 7
.find:  scasb
        loopne .find            ; stops at the 7 in the list
        mov esi, ecx
        mov eax, [sum]
        mov ebx, [fib]
        cmp ebx, 102334155
        hlt

print_hex:                      ; eax
        mov ecx, 8
.d:     rol eax, 4
        mov edx, eax
        and edx, 0xF
        mov dl, [digits + edx]
        push eax
        mov al, dl
        out 0xE9, al
        pop eax
        loop .d
        mov al, 10
        out 0xE9, al
        ret
digits: db "0123456789abcdef"
list:   db 1, 2, 3, 5, 7, 11, 13, 17
align 4
sum:    dd 0
fib:    dd 0
