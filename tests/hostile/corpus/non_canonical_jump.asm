; Hostile: a jump to a non-canonical address in long mode (0x0000800000000000, the first one
; above the lower half). The JMP raises #GP with RIP still at the JMP; with no IDT the machine
; shuts down.
; ringside: entry=long load=0x10000
; expect: emu=shutdown kvm=shutdown
bits 64
org 0x10000
        mov rax, 0x0000800000000000
        jmp rax
        hlt
