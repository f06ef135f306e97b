; Loops forever: stopped by --max-insns or --timeout.
; ringside: entry=real
bits 16
org 0x7C00
spin:   inc ax
        jmp spin
