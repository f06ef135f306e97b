; Hostile: spins forever; only the instruction budget ends it.
; expect-reason: budget
; ringside: entry=real
bits 16
org 0x7C00
spin:   jmp spin
