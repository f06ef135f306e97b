; Protected mode #GP through an IDT: loading DS with a selector beyond the GDT limit faults
; with the selector as error code; the handler records it and skips the 2-byte MOV.
; diff: skip-on=pvm reason="PVM emulates CPL 0 code with KVM's instruction emulator, which implements IRET only in real mode (KVM_EXIT_INTERNAL_ERROR at the IRET)"
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
        mov ax, 0x80            ; the platform GDT ends at 0x37
        cmp ax, 0x80
        mov ds, ax              ; #GP(0x80)
        mov ax, 0x10
        mov ds, ax              ; fine
        mov al, 'g'
        out 0xE9, al
        mov al, 'p'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov ebx, [gp_error]     ; 0x80
        mov ecx, [gp_count]     ; 1
        cmp ebx, 0x80
        hlt

gp_handler:
        push eax
        mov eax, [esp + 4]      ; error code
        mov [gp_error], eax
        inc dword [gp_count]
        pop eax
        add esp, 4
        add dword [esp], 2      ; skip MOV DS, AX (8E D8)
        iret
align 4
gp_error: dd 0xFFFFFFFF
gp_count: dd 0
idtr:   dw 256 * 8 - 1
        dd idt
align 8
idt:    times 256 dq 0
