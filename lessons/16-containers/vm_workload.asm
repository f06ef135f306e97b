; The container workload of lesson 16, as a guest: write a message, ask "who am I", ask "whose
; machine is this", stop. In the container these are system calls that the shared kernel serves
; directly (write, getpid, uname); here every step is a privileged instruction that leaves the
; guest with a VM exit: one OUT per byte to COM1, CPUID twice, HLT.
; Compare them:  ringside container --compare-vm
; ringside: entry=real
bits 16
org 0x7C00

start:
        mov si, message
        mov dx, 0x3F8                   ; COM1's transmit register
.next:  lodsb
        test al, al
        jz .who
        out dx, al                      ; VM exit IO_INSTRUCTION, once per byte
        jmp .next
.who:   mov eax, 1                      ; CPUID leaf 1: EBX[31:24] is this CPU's APIC ID
        cpuid                           ; VM exit CPUID (always, under VT-x)
        mov eax, 0x40000000             ; the hypervisor's signature leaf
        cpuid                           ; VM exit CPUID: the VMM answers
        hlt                             ; VM exit HLT

message: db "hello from the box", 10, 0
