; Hostile: a tight endless loop that never touches a device. Only the instruction budget (emu)
; or the wall-clock watchdog (kvm) can end it.
; ringside: entry=real
; expect: emu=budget kvm=timeout
bits 16
org 0x7C00
spin:   jmp spin
