; Hostile: a #GP handler that returns to the faulting instruction, forever.
; expect-reason: exception
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov eax, gp_handler
        mov [idt + 13 * 8], ax
        mov word [idt + 13 * 8 + 2], 0x08
        mov word [idt + 13 * 8 + 4], 0x8E00
        shr eax, 16
        mov [idt + 13 * 8 + 6], ax
        lidt [idtr]
        mov ax, 0xFFF8
fault:  mov ds, ax
        hlt
gp_handler:
        add esp, 4
        iret
idtr:   dw 256 * 8 - 1
        dd idt
align 8
idt:    times 256 dq 0
