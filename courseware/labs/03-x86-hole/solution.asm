; Lab 03 solution: a "red pill". The kernel asks, with unprivileged instructions only, whether
; it runs deprivileged under a trap-and-emulate VMM, and prints the answer.
; Run: ringside run --virt trap courseware/labs/03-x86-hole/solution.asm   (prints "virtualized")
;      ringside run --virt native courseware/labs/03-x86-hole/solution.asm (prints "native")
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
start:
        lgdt [gdtr]
;; >>> TODO 1: read CS without a privileged instruction; its RPL is the CPL you really run at
        push cs
        pop eax
        and eax, 3
;; <<<
        mov esi, native
;; >>> TODO 2: ring 0 means native; anything else means a VMM moved you
        jz .print
        mov esi, virtualized
;; <<<
.print: lodsb
        test al, al
        jz .done
        out 0xe9, al
        jmp .print
.done:
;; >>> TODO 3: also store the GDTR with SGDT and compare its base with gdt
        sgdt [seen]
        mov eax, [seen + 2]
        cmp eax, gdt
        je .exit
        mov al, '!'                     ; the table is not ours: say so
        out 0xe9, al
        mov al, 10
        out 0xe9, al
;; <<<
.exit:  xor eax, eax
        out 0xf4, eax

align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF
        dq 0x00CF92000000FFFF
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
seen:   times 6 db 0
native:      db "native", 10, 0
virtualized: db "virtualized", 10, 0
