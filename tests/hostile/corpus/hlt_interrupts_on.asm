; Hostile: STI; HLT with nothing that will ever raise an interrupt. A backend must not wait
; forever for an interrupt that cannot come.
; ringside: entry=real
; expect: emu=hlt kvm=hlt
bits 16
org 0x7C00
        sti
        hlt
        jmp $
