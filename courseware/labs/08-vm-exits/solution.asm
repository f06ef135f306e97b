; Lab 08 · VM exits — reference solution.
; Cause these exits, in this order, under the kvm-like profile:
;   OUT 0x70, AL (the CMOS index port)  -> IO_INSTRUCTION, qualification 0x00700040
;   IN AX, DX with DX = 0x60            -> IO_INSTRUCTION, qualification 0x00600009
;   WRMSR to MSR 0x3A                   -> MSR_WRITE (32)
;   CPUID leaf 0                        -> CPUID (10)
;   HLT                                 -> HLT (12)
; Run it:  ringside run --trace /tmp/l8.jsonl courseware/labs/08-vm-exits/solution.asm
; ringside: entry=real
bits 16
org 0x7C00

start:
        cli
;; >>> TODO 1: OUT 0x70, AL (immediate port, 1 byte)
        mov al, 0x0F
        out 0x70, al
;; <<<
;; >>> TODO 2: IN AX, DX from port 0x60 (2 bytes, port in DX)
        mov dx, 0x60
        in ax, dx
;; <<<
;; >>> TODO 3: WRMSR 0x3A with EDX:EAX = 0:5 (lock, VMX outside SMX)
        mov ecx, 0x3A
        mov eax, 5
        xor edx, edx
        wrmsr
;; <<<
        xor eax, eax
        cpuid
        hlt
