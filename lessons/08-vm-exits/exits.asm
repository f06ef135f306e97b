; VM exits and exit qualifications: seven sensitive instructions in a row, each a question
; for the VMM's VMCS. Under the kvm-like profile CPUID, OUT, IN, RDMSR, VMCALL and HLT exit;
; MOV to CR3 does not (with EPT the guest owns its page tables, so CR3-load exiting is off).
; Run it:  ringside run --trace /tmp/t.jsonl lessons/08-vm-exits/exits.asm
; ringside: entry=real
bits 16
org 0x7C00

start:
        cli
        xor ax, ax
        mov ds, ax
        xor eax, eax
        cpuid                           ; reason 10 CPUID: always exits, whatever the controls
        mov eax, 0x9000
        mov cr3, eax                    ; reason 28 CR_ACCESS only with CR3-load exiting
        mov al, 0x55
        out 0x80, al                    ; reason 30: port 0x80, 1 byte, OUT, immediate
        mov dx, 0x3F8
        in al, dx                       ; reason 30: port 0x3F8, 1 byte, IN, port in DX
        mov ecx, 0x3A                   ; IA32_FEATURE_CONTROL
        rdmsr                           ; reason 31 MSR_READ: the MSR bitmap says "intercept"
        mov eax, 0                      ; hypercall number 0
        vmcall                          ; reason 18 VMCALL: no PV interface, returns -1000
        hlt                             ; reason 12 HLT (HLT exiting), and the guest stops
