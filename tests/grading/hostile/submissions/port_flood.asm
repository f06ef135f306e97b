; Hostile: reads and writes every I/O port, forever.
; expect-reason: budget
; ringside: entry=real
bits 16
org 0x7C00
        xor dx, dx
.next:  in al, dx
        out dx, al
        inc dx
        jmp .next
