; Hostile: a port flood. OUT to an unclaimed port (0x80, the POST-code port) in a tight loop
; forever: on kvm every OUT is a VM exit to userspace.
; ringside: entry=real
; expect: emu=budget kvm=timeout
bits 16
org 0x7C00
flood:  inc al
        out 0x80, al
        jmp flood
