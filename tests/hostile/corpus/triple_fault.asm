; Hostile: loads an IDT whose limit is 0 and raises #UD: the #UD cannot be delivered (#GP),
; nor the #GP (#DF), nor the #DF: a triple fault, which shuts the machine down.
; ringside: entry=protected load=0x10000
; expect: emu=shutdown kvm=shutdown
bits 32
org 0x10000
        lidt [idtr]
        ud2
        hlt
idtr:   dw 0
        dd 0
