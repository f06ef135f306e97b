; Protected mode COM1: programs the divisor latch and line control like a driver, polls the
; line-status register before each byte, and reads the registers back (IIR reads 0x01).
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov dx, 0x3FB           ; LCR: DLAB on
        mov al, 0x80
        out dx, al
        mov dx, 0x3F8           ; DLL: 115200 / 3
        mov al, 3
        out dx, al
        mov dx, 0x3F9           ; DLM
        mov al, 0
        out dx, al
        mov dx, 0x3F8
        in al, dx
        mov bl, al              ; divisor low back: 3
        mov dx, 0x3FB           ; 8N1, DLAB off
        mov al, 0x03
        out dx, al
        mov dx, 0x3FA
        in al, dx
        mov bh, al              ; IIR: 0x01
        mov esi, msg
.next:  mov ah, [esi]
        cmp ah, 0
        je .done
        mov dx, 0x3FD
.wait:  in al, dx
        test al, 0x20
        jz .wait
        mov dx, 0x3F8
        mov al, ah
        out dx, al
        inc esi
        jmp .next
.done:  mov dx, 0x3FB
        in al, dx
        mov cl, al              ; LCR: 0x03
        cmp cl, 3
        mov eax, 0
        out 0xF4, eax
msg:    db "com1 8N1", 10, 0
