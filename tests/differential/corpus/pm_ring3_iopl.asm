; Protected mode ring 3 with IOPL 3: IRET drops to ring 3 with EFLAGS.IOPL = 3, ring 3 writes
; the console with OUT directly (no #GP), then INT 0x80 returns to ring 0, which exits.
; diff: skip-on=pvm reason="PVM emulates CPL 0 code with KVM's instruction emulator, which implements IRET only in real mode (KVM_EXIT_INTERNAL_ERROR at the IRET)"
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov eax, syscall_handler
        mov [idt + 0x80 * 8], ax
        mov word [idt + 0x80 * 8 + 2], 0x08
        mov word [idt + 0x80 * 8 + 4], 0xEE00   ; DPL 3 interrupt gate
        shr eax, 16
        mov [idt + 0x80 * 8 + 6], ax
        lidt [idtr]
        mov dword [tss + 4], 0x6800     ; ESP0: the ring-0 stack stays in the platform stack page
        mov dword [tss + 8], 0x10
        mov word [tss + 0x66], 0x68
        mov eax, tss
        mov [gdt + 0x38 + 2], ax
        shr eax, 16
        mov [gdt + 0x38 + 4], al
        mov [gdt + 0x38 + 7], ah
        lgdt [gdtr]
        mov ax, 0x38
        ltr ax
        push dword 0x2B
        push dword 0x6F00               ; ring-3 stack, also in the platform stack page
        push dword 0x3002               ; IOPL 3
        push dword 0x23
        push dword user
        iret

user:   mov ax, 0x2B
        mov ds, ax
        mov es, ax
        mov esi, msg
.p:     mov al, [esi]
        cmp al, 0
        je .done
        out 0xE9, al
        inc esi
        jmp .p
.done:  mov ebx, 0x1234
        mov ecx, cs
        and ecx, 3              ; CPL 3
        int 0x80
        jmp $

syscall_handler:
        mov edx, [esp + 4]      ; CS pushed by the ring change: 0x23
        mov eax, 0
        out 0xF4, eax

msg:    db "ring 3 with IOPL 3", 10, 0
align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF
        dq 0x00CF92000000FFFF
        dq 0
        dq 0x00CFFA000000FFFF   ; 0x20 ring-3 code
        dq 0x00CFF2000000FFFF   ; 0x28 ring-3 data
        dq 0
        dw 0x67, 0, 0x8900, 0   ; 0x38 TSS
gdtr:   dw $ - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt
align 8
idt:    times 256 dq 0
tss:    times 0x68 db 0
