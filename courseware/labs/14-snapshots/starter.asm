; Lab 14 · Snapshots — starter code: fill in the TODO (see lab.en.md).
; Counts from 0 to 10 in memory at 0x9000, printing each count's digit on COM1 before adding 1,
; then a newline, then exits with code 0 when the counter is exactly 10. The count must live in
; memory (not only in a register): the lab snapshots the machine in the middle and checks that
; the restored machine finishes the same count.
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov word [0x9000], 0
        mov dx, 0x3F8
.next:  mov cx, 300
.spin:  loop .spin
        ; TODO: print the digit of the counter at 0x9000 on COM1 (port in DX), add 1 to the
        ;       counter in memory, and go back to .next while it is below 10
        mov al, 10
        out dx, al
        mov ax, [0x9000]
        sub ax, 10
        movzx eax, ax
        out 0xF4, eax
        hlt
