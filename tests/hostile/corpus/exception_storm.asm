; Hostile: an exception storm. MOV DS with a selector past the GDT limit raises #GP; the #GP
; handler drops the error code and IRETs straight back to the faulting MOV, forever.
; ringside: entry=protected load=0x10000
; PVM emulates CPL 0 code and cannot emulate this IRET: it stops with an error naming that.
; expect: emu=budget kvm=timeout kvm-pvm=error
bits 32
org 0x10000
        mov eax, gp_handler
        mov [idt + 13 * 8], ax
        mov word [idt + 13 * 8 + 2], 0x08
        mov word [idt + 13 * 8 + 4], 0x8E00     ; present, DPL 0, 32-bit interrupt gate
        shr eax, 16
        mov [idt + 13 * 8 + 6], ax
        lidt [idtr]
        mov ax, 0xFFF8                          ; far beyond the platform GDT's limit
fault:  mov ds, ax                              ; #GP(0xFFF8), every time
        hlt

gp_handler:
        add esp, 4                              ; the error code
        iret                                    ; back to `fault`, which faults again

idtr:   dw 256 * 8 - 1
        dd idt
align 8
idt:    times 256 dq 0
