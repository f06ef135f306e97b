; An empty IDT: the breakpoint cannot be delivered (#GP), nor can the #GP (#DF), nor the
; #DF: a triple fault, which shuts the machine down.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        lidt [idtr]
        int3
        hlt
idtr:   dw 0
        dd 0
