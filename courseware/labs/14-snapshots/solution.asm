; Lab 14 · Snapshots — a solution (instructors only).
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov word [0x9000], 0
        mov dx, 0x3F8
.next:  mov cx, 300
.spin:  loop .spin
        mov al, [0x9000]
        add al, '0'
        out dx, al
        inc word [0x9000]
        cmp word [0x9000], 10
        jb .next
        mov al, 10
        out dx, al
        mov ax, [0x9000]
        sub ax, 10
        movzx eax, ax
        out 0xF4, eax
        hlt
