; Hostile: overwrites every byte of guest RAM, its own code included, with 0xCC (INT3).
; expect-reason: expected
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0
        mov ecx, 16 * 1024 * 1024 / 4
        mov eax, 0xCCCCCCCC
        rep stosd
        hlt
