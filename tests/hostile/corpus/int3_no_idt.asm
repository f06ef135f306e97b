; Hostile: INT3 at CPL 0 in long mode with no IDT (the entry state's IDTR limit is 0): the
; breakpoint cannot be delivered, a triple fault shuts the machine down.
; ringside: entry=long load=0x10000
; PVM emulates CPL 0 code and cannot emulate INT3: it stops with an error naming that.
; expect: emu=shutdown kvm=shutdown kvm-pvm=error
bits 64
org 0x10000
        int3
        hlt
