; For trap-and-emulate and binary translation (tests/sim-core/emu/emu_classic_test.cpp): a guest
; kernel runs privileged instructions (each one trap under --virt trap) and then every
; sensitive-but-unprivileged instruction of Robin & Irvine's list (each one a leak under trap,
; a callout under bt), then exits through port 0xf4.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
start:
        lgdt [gdtr]                     ; privileged
        lidt [idtr]                     ; privileged
        mov ax, 0x18
        lldt ax                         ; privileged
        mov ax, 0x20
        ltr ax                          ; privileged
        mov eax, cr0                    ; privileged
        cli                             ; privileged (IOPL 0)
hole:                                   ; sensitive, unprivileged: no trap at ring 1
        pushfd                          ; IF as the guest left it?
        pop ebx
        sgdt [tables]                   ; the guest's GDT base?
        sidt [tables + 8]               ; the guest's IDT base?
        sldt si                         ; the guest's LDT selector?
        str di                          ; the guest's TSS selector?
        smsw dx                         ; the guest's CR0?
        push cs                         ; RPL 0?
        pop eax
        mov ax, ss                      ; RPL 0?
        mov ecx, 0x10
        lar ebp, ecx                    ; DPL 0?
        mov ecx, 0x11                   ; RPL 1 on a DPL 0 segment: refused at CPL 0
        lsl ebp, ecx
        verr cx
        verw cx
        push dword 0x202
        popfd                           ; IF back on?
hole_end:
        sti                             ; privileged
        xor eax, eax
        out 0xf4, eax                    ; privileged at IOPL 0: the exit

align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 0x08 code, DPL 0
        dq 0x00CF92000000FFFF           ; 0x10 data, DPL 0
        dq 0x0000820200000007           ; 0x18 LDT at 0x20000
        dq 0x0000890210000067           ; 0x20 TSS at 0x21000
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 0x7FF
        dd 0x22000
tables: times 16 db 0
