; Hostile: a far jump to the null selector in protected mode: #GP(0), which with no IDT
; shuts the machine down.
; ringside: entry=protected load=0x10000
; expect: emu=shutdown kvm=shutdown
bits 32
org 0x10000
        jmp 0x0000:target
target: hlt
