; Real mode stack and near calls: recursive factorial with CALL/RET and PUSH/POP, PUSHA/POPA,
; ENTER/LEAVE. Prints the result in decimal and halts.
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        mov ax, 8
        call fact               ; ax = 40320
        mov [result], ax
        pusha
        mov bp, 0x1111
        popa                    ; restores bp
        call frame
        mov ax, [result]
        call print_dec
        mov al, 10
        out 0xE9, al
        mov bx, [result]
        cmp bx, 40320
        hlt

fact:   cmp ax, 1
        jbe .one
        push ax
        dec ax
        call fact
        pop cx
        mul cx
        ret
.one:   mov ax, 1
        ret

frame:  enter 4, 0
        mov word [bp - 2], 0xBEEF
        mov dx, [bp - 2]
        leave
        ret

print_dec:                      ; ax: unsigned value
        mov cx, 0
        mov bx, 10
.div:   xor dx, dx
        div bx
        push dx
        inc cx
        cmp ax, 0
        jne .div
.out:   pop ax
        add al, '0'
        out 0xE9, al
        loop .out
        ret
result: dw 0
