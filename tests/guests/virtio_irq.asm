; The virtio console completing a buffer raises IRQ 5 (its IRQ register), through the 8259A, and
; the device's interrupt wakes the guest from HLT: completion by interrupt instead of polling.
; ringside: entry=real
bits 16
org 0x7C00
AVAIL equ 0x9000
USED  equ 0x9200
start:
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        mov word [0x25 * 4], handler    ; IVT entry of vector 0x25 (IRQ 5)
        mov word [0x25 * 4 + 2], 0
        mov al, 0x11                    ; 8259A: ICW1-ICW4, vectors from 0x20
        out 0x20, al
        mov al, 0x20
        out 0x21, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x01
        out 0x21, al
        mov al, 0xDF                    ; only IRQ 5 unmasked
        out 0x21, al
        mov dx, 0x61C                   ; virtio console: IRQ 5 on completion
        mov eax, 5
        out dx, eax
        mov dx, 0x608
        mov eax, desc
        out dx, eax
        mov dx, 0x60C
        mov eax, AVAIL
        out dx, eax
        mov dx, 0x610
        mov eax, USED
        out dx, eax
        mov word [AVAIL + 4], 0
        mov word [AVAIL + 2], 1
        mov dx, 0x614
        xor eax, eax
        out dx, eax
        sti
        hlt                             ; the device's interrupt wakes us
        cli
        cmp byte [got], 1
        jne fail
        mov eax, 0
        out 0xF4, eax
        hlt
fail:   mov eax, 1
        out 0xF4, eax
        hlt
handler:
        mov byte [got], 1
        mov al, 0x20                    ; EOI
        out 0x20, al
        iret
got:    db 0
align 16
desc:   dq text
        dd 3
        dw 0, 0
text:   db "irq"
