; 64-bit long mode with its own GDT, IDT and 64-bit TSS. IRETQ drops to ring 3; ring 3
; executes HLT (privileged: #GP at CPL 3), which the ring-0 handler counts and skips, then
; tries OUT to port 0xE9 with IOPL 0 and no I/O bitmap (#GP again), then asks the kernel to
; exit through INT 0x80 with exit code (#GP count - 2): 0 when both faults were taken.
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
        mov qword [tss + 4], 0x80000    ; RSP0
        mov ax, 0x38
        ltr ax
        lea rax, [rel gp_handler]
        mov ebx, 13
        mov ecx, 0x8E00                 ; DPL 0 interrupt gate
        call set_gate
        lea rax, [rel syscall_handler]
        mov ebx, 0x80
        mov ecx, 0xEE00                 ; DPL 3
        call set_gate
        lidt [idtr]
        push qword 0x2B                 ; SS
        push qword 0x70000              ; RSP
        push qword 0x002                ; RFLAGS: IOPL 0
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

user:
        hlt                             ; #GP(0) at CPL 3
        mov al, '!'
        out 0xE9, al                    ; #GP(0): CPL 3 > IOPL 0, no bitmap
        mov rbx, [rel gp_count]
        sub rbx, 2
        int 0x80
        jmp $

gp_handler:                             ; [rsp] error code, [rsp+8] RIP, [rsp+16] CS …
        inc qword [rel gp_count]
        mov rax, [rsp + 16]
        mov [rel gp_cs], rax
        mov rax, [rsp + 8]
        cmp byte [rax], 0xF4            ; HLT is one byte, OUT imm8 two
        je .one
        add qword [rsp + 8], 1
.one:   add qword [rsp + 8], 1
        add rsp, 8
        iretq

syscall_handler:
        mov rax, rbx
        out 0xF4, eax
        jmp $

align 8
gp_count: dq 0
gp_cs:    dq 0
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
