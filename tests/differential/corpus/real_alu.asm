; Real mode integer ALU: ADD/ADC/SUB/SBB/AND/OR/XOR/NEG/NOT/INC/DEC on 8-, 16- and 32-bit
; operands. Prints "alu" and halts with the results in registers.
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov ax, 0x1234
        add ax, 0xF00F          ; carry out
        adc bx, 0x0001          ; bx = 0 + 1 + CF
        mov cx, 0x8000
        sub cx, 0x0001
        sbb dx, 0               ; dx = 0 - 0 - CF(0)
        mov eax, 0xDEADBEEF
        and eax, 0x0FF0FF0F
        or eax, 0x10000001
        xor eax, 0x12345678
        mov esi, 100
        neg esi
        mov edi, 0x00FF00FF
        not edi
        mov bp, 0xFFFF
        inc bp
        dec bx
        add dl, 0x7F
        add dl, 0x01            ; signed overflow into 0x80
        mov si, msg
        mov cx, 3
.print: lodsb
        out 0xE9, al
        loop .print
        mov si, 0x55AA
        cmp si, 0x55AA          ; every status flag defined before the stop
        hlt
msg:    db "alu"
