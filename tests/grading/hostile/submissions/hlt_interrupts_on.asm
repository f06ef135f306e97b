; Hostile: enables interrupts and halts; no interrupt ever comes.
; expect-reason: expected
; ringside: entry=real
bits 16
org 0x7C00
        sti
        hlt
        jmp $
