; Hostile: jumps far into a null selector in protected mode.
; expect-reason: expected
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        jmp 0x0000:0x1234
