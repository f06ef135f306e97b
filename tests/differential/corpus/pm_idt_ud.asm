; Protected mode #UD through an IDT: UD2 reaches the handler (no error code), which checks the
; opcode at the saved EIP, skips it and counts. Done twice, then exit code 0.
; diff: skip-on=pvm reason="PVM emulates CPL 0 code with KVM's instruction emulator, which implements IRET only in real mode (KVM_EXIT_INTERNAL_ERROR at the IRET)"
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov eax, ud_handler
        mov [idt + 6 * 8], ax
        mov word [idt + 6 * 8 + 2], 0x08
        mov word [idt + 6 * 8 + 4], 0x8E00
        shr eax, 16
        mov [idt + 6 * 8 + 6], ax
        lidt [idtr]
        mov ecx, 2
        cmp ecx, 2
.again: ud2
        mov al, 'u'
        out 0xE9, al
        dec ecx
        jnz .again
        mov al, 10
        out 0xE9, al
        mov eax, [ud_count]
        sub eax, 2
        mov ebx, [opcode_ok]
        out 0xF4, eax           ; 0 when both UD2s were handled

ud_handler:
        push eax
        mov eax, [esp + 4]      ; EIP of UD2 (no error code for #UD)
        cmp word [eax], 0x0B0F
        jne .skip
        inc dword [opcode_ok]
.skip:  inc dword [ud_count]
        add dword [esp + 4], 2
        pop eax
        iret
align 4
ud_count:  dd 0
opcode_ok: dd 0
idtr:   dw 256 * 8 - 1
        dd idt
align 8
idt:    times 256 dq 0
