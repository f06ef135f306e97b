; Hostile: loads an empty IDT and divides by zero: #DE, #DF, triple fault.
; expect-reason: shutdown
; ringside: entry=real
bits 16
org 0x7C00
        lidt [idtr]
        xor ax, ax
        div ax
        hlt
idtr:   dw 0
        dd 0
