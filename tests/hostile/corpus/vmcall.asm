; Hostile: VMCALL with an unknown hypercall number, then spins. emu's modelled hypervisor answers
; the hypercall and the spin ends on the budget; PVM livelocks on the VMCALL itself and only
; the watchdog ends the run.
; ringside: entry=long load=0x10000
; expect: emu=budget kvm=timeout
bits 64
org 0x10000
        mov eax, 0x12345
        vmcall
        jmp $
