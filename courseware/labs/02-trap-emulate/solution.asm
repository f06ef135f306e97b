; Lab 02 solution: a kernel whose privileged instructions each trap once under --virt trap.
; Run: ringside run --virt trap courseware/labs/02-trap-emulate/solution.asm
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
start:
;; >>> TODO 1: load the kernel's GDT
        lgdt [gdtr]
;; <<<
;; >>> TODO 2: turn interrupts off for the critical section
        cli
;; <<<
        mov esi, msg
.print: lodsb
        test al, al
        jz .done
        out 0xe9, al
        jmp .print
.done:
;; >>> TODO 3: turn interrupts back on with the privileged instruction (not POPF)
        sti
;; <<<
;; >>> TODO 4: leave through port 0xf4 with exit code 0 (a 32-bit OUT)
        xor eax, eax
        out 0xf4, eax
;; <<<

align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 0x08 code, DPL 0
        dq 0x00CF92000000FFFF           ; 0x10 data, DPL 0
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
msg:    db "done", 10, 0
