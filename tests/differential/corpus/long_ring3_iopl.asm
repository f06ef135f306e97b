; Long mode CPL 3 with IOPL 3: ring 3 writes the console itself with OUT and a REP OUTSB
; (no #GP: CPL <= IOPL), reads COM1's LSR with IN, then INT 0x80 returns to ring 0 to halt.
; diff: skip-on=pvm reason="on PVM an INT or exception from ring 3 ends in KVM_EXIT_SHUTDOWN even with a valid IDT and TSS (PVM delivers user-mode events through its own entry point, for PVM-aware guests)"
; ringside: entry=long load=0x10000
bits 64
org 0x10000
start:
        lgdt [gdtr]
        mov rax, tss
        mov [gdt + 0x38 + 2], ax
        shr rax, 16
        mov [gdt + 0x38 + 4], al
        mov [gdt + 0x38 + 7], ah
        mov word [tss + 0x66], 0x68     ; no I/O bitmap
        mov qword [tss + 4], 0x6800     ; RSP0: in the platform stack page
        mov ax, 0x38
        ltr ax
        lea rax, [rel syscall_handler]
        mov ebx, 0x80
        mov ecx, 0xEE00                 ; DPL 3 interrupt gate
        call set_gate
        lidt [idtr]
        push qword 0x2B                 ; SS
        push qword 0x6F00               ; RSP: user stack, also in the platform stack page
        push qword 0x3002                ; RFLAGS
        push qword 0x33                 ; CS: 64-bit ring 3
        lea rax, [rel user]
        push rax
        iretq

set_gate:                               ; rax handler, ebx vector, ecx attributes
        shl rbx, 4
        lea rdi, [rel idt]
        add rdi, rbx
        mov [rdi], ax
        mov word [rdi + 2], 0x18
        mov [rdi + 4], cx
        shr rax, 16
        mov [rdi + 6], ax
        shr rax, 16
        mov [rdi + 8], eax
        mov dword [rdi + 12], 0
        ret

user:   mov al, '3'
        out 0xE9, al
        cld
        lea rsi, [rel msg]
        mov ecx, msglen
        mov dx, 0xE9
        rep outsb               ; string I/O at CPL 3
        mov dx, 0x3FD
        in al, dx
        movzx r12d, al          ; 0x60
        int 0x80
        jmp $

syscall_handler:
        mov r13, [rsp + 16]     ; the RFLAGS ring 3 ran with: IOPL 3
        and r13, 0x3000
        cmp r12, 0x60
        hlt

msg:    db " ring 3 rep outsb", 10
msglen  equ $ - msg

align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF   ; 0x08
        dq 0x00CF92000000FFFF   ; 0x10 ring-0 data
        dq 0x00AF9A000000FFFF   ; 0x18 ring-0 64-bit code
        dq 0
        dq 0x00CFF2000000FFFF   ; 0x28 ring-3 data (selector 0x2B)
        dq 0x00AFFA000000FFFF   ; 0x30 ring-3 64-bit code (selector 0x33)
        dw 0x67, 0, 0x8900, 0   ; 0x38 64-bit TSS (16 bytes)
        dq 0
gdtr:   dw $ - gdt - 1
        dq gdt
idtr:   dw 256 * 16 - 1
        dq idt
align 16
idt:    times 256 * 2 dq 0
tss:    times 0x68 db 0
