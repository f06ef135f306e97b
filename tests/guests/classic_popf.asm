; A guest kernel that relies on POPF to turn interrupts back on (pushf; cli; …; popf), as
; kernels did before virtualization. Natively IF is 1 again at the end; under trap-and-emulate
; the POPF runs at ring 1 without a trap and IF stays 0 in the VMM's virtual CPU (a leak), and
; the PUSHF that checks it reads the real IF, which the VMM keeps on (another leak). The guest
; prints what it believes and exits normally either way.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
start:
        sti
        pushfd                          ; save IF = 1
        cli                             ; critical section
        mov ecx, 3
.work:  dec ecx
        jnz .work
        popfd                           ; restore IF = 1: the kernel's assumption
        pushfd
        pop eax
        mov esi, on
        test eax, 0x200
        jnz .print
        mov esi, off
.print: lodsb
        test al, al
        jz .done
        out 0xe9, al
        jmp .print
.done:  xor eax, eax
        out 0xf4, eax
on:     db "interrupts are on", 10, 0
off:    db "interrupts are off", 10, 0
