; Lab 16 · Containers and VMs — reference solution.
; The container workload of lesson 16 as a guest: print "hello from the box" and a newline on
; COM1, ask the CPU who it is (CPUID leaf 1) and whose machine this is (CPUID 0x40000000), halt.
; Run it:  ringside run --trace /tmp/l16.jsonl courseware/labs/16-containers/solution.asm
; Grade it: ringside grade courseware/labs/16-containers/lab.toml courseware/labs/16-containers/solution.asm
; ringside: entry=real
bits 16
org 0x7C00

start:
        mov si, message
        mov dx, 0x3F8                   ; COM1's transmit register
;; >>> TODO 1: send every byte of `message` (up to its 0) to COM1, one OUT per byte
.next:  lodsb
        test al, al
        jz .done
        out dx, al                      ; one IO_INSTRUCTION exit per byte
        jmp .next
.done:
;; <<<
;; >>> TODO 2: CPUID leaf 1, then CPUID leaf 0x40000000
        mov eax, 1
        cpuid                           ; EBX[31:24]: the APIC ID, as the VMM reports it
        mov eax, 0x40000000
        cpuid                           ; the hypervisor's signature
;; <<<
        hlt

message: db "hello from the box", 10, 0
