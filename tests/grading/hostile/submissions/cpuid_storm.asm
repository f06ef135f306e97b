; Hostile: a VM exit per instruction pair, until the event budget stops it.
; expect-reason: event budget exceeded
; ringside: entry=real
bits 16
org 0x7C00
.next:  xor eax, eax
        cpuid
        jmp .next
