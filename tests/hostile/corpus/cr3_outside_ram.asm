; Hostile: long mode with paging on, CR3 loaded with an address far outside RAM (1 GiB; the
; machine has 16 MiB). The next instruction fetch has no page tables to walk: the walk cannot
; produce a translation, the #PF cannot be delivered either (no IDT): the machine shuts down.
; ringside: entry=long load=0x10000
; expect: emu=shutdown kvm=shutdown
bits 64
org 0x10000
        mov rax, 0x40000000
        mov cr3, rax
        nop
        mov al, '!'
        out 0xE9, al
        hlt
