; Lab example, reference solution: sum the 16-bit numbers at [ESI] (ECX of them), store the
; 32-bit sum at 0x9100, print "sum=N" on the debug console, execute CPUID once, and leave
; through the exit port with code 0.
; ringside: entry=real
bits 16
org 0x7C00

start:
        cli
        xor ax, ax
        mov ds, ax
        xor ebx, ebx                    ; the sum
        jecxz .store
.add:   movzx eax, word [si]
        add ebx, eax
        add si, 2
        loop .add
.store: mov [0x9100], ebx
        xor eax, eax
        cpuid                           ; a VM exit the monitor must handle
        mov si, prefix
        call puts
        mov eax, [0x9100]               ; CPUID overwrote EBX
        call putdec
        mov al, 10
        out 0xE9, al
        xor eax, eax
        out 0xF4, eax                   ; exit code 0
        hlt

; puts: print the NUL-terminated string at DS:SI.
puts:   lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp puts
.done:  ret

; putdec: print EAX in decimal.
putdec: mov edi, 10
        xor cx, cx
.div:   xor edx, edx
        div edi
        push dx
        inc cx
        test eax, eax
        jnz .div
.out:   pop ax
        add al, '0'
        out 0xE9, al
        loop .out
        ret

prefix: db "sum=", 0
