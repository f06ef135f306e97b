; Protected mode #DE through an IDT: DIV by zero and an IDIV overflow (-2^31 / -1) both reach
; the handler, which records the faulting EIP and skips the two-byte instruction.
; diff: skip-on=pvm reason="PVM emulates CPL 0 code with KVM's instruction emulator, which implements IRET only in real mode (KVM_EXIT_INTERNAL_ERROR at the IRET)"
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov eax, de_handler
        mov [idt + 0 * 8], ax
        mov word [idt + 0 * 8 + 2], 0x08
        mov word [idt + 0 * 8 + 4], 0x8E00
        shr eax, 16
        mov [idt + 0 * 8 + 6], ax
        lidt [idtr]
        mov eax, 1000
        xor edx, edx
        xor ecx, ecx
        cmp eax, 1000           ; defined flags in the pushed EFLAGS image
site1:  div ecx                 ; #DE
        mov eax, 0x80000000
        cdq
        mov ecx, -1
        cmp eax, ecx
site2:  idiv ecx                ; quotient overflow: #DE
        mov al, 'd'
        out 0xE9, al
        mov al, 'e'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov ebx, [de_count]
        mov esi, [eips]
        mov edi, [eips + 4]
        sub esi, site1          ; 0 when the fault reported the DIV itself
        sub edi, site2
        mov eax, 0
        out 0xF4, eax

de_handler:
        push eax
        push ebx
        mov ebx, [de_count]
        mov eax, [esp + 8]      ; the faulting EIP
        mov [eips + ebx * 4], eax
        inc dword [de_count]
        add dword [esp + 8], 2  ; DIV ECX / IDIV ECX are two bytes
        pop ebx
        pop eax
        iret
align 4
de_count: dd 0
eips:   dd 0, 0
idtr:   dw 256 * 8 - 1
        dd idt
align 8
idt:    times 256 dq 0
