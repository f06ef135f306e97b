; Lab example, a half-done solution: the sum is right and the guest leaves through the exit
; port, but it prints nothing and never executes CPUID.
; ringside: entry=real
bits 16
org 0x7C00

start:
        cli
        xor ax, ax
        mov ds, ax
        xor ebx, ebx
        jecxz .store
.add:   movzx eax, word [si]
        add ebx, eax
        add si, 2
        loop .add
.store: mov [0x9100], ebx
        ; TODO: CPUID, then print "sum=N"
        xor eax, eax
        out 0xF4, eax
        hlt
