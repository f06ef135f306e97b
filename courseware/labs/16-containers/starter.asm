; Lab 16 · Containers and VMs — starter code: fill in every TODO (see lab.en.md).
; The container workload of lesson 16 as a guest: print "hello from the box" and a newline on
; COM1, ask the CPU who it is (CPUID leaf 1) and whose machine this is (CPUID 0x40000000), halt.
; Run it:  ringside run --trace /tmp/l16.jsonl courseware/labs/16-containers/starter.asm
; Grade it: ringside grade courseware/labs/16-containers/lab.toml courseware/labs/16-containers/starter.asm
; ringside: entry=real
bits 16
org 0x7C00

start:
        mov si, message
        mov dx, 0x3F8                   ; COM1's transmit register
        ; TODO 1: send every byte of `message` (up to its 0) to COM1, one OUT per byte
        ; TODO 2: CPUID leaf 1, then CPUID leaf 0x40000000
        hlt

message: db "hello from the box", 10, 0
