; Lab 01 · Rings — starter code: fill in every TODO (see lab.en.md).
; A ring-0 kernel with its own GDT, IDT and TSS drops to ring 3. Ring 3 tries two
; privileged instructions, CLI and MOV to CR3; each raises #GP(0), which the kernel's handler
; counts and skips (CLI is 1 byte, MOV CR3, EAX is 3). Ring 3 then exits with the number of
; #GPs as the exit code minus 2 (0 = both trapped).
; Run it:  ringside run courseware/labs/01-rings/starter.asm
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
start:
        lgdt [gdtr]
        jmp 0x08:.reload
.reload:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x90000
        mov eax, gp_handler
        mov ebx, 13
        mov ecx, 0x8E00                 ; present, DPL 0, 32-bit interrupt gate
        call set_gate
        mov eax, syscall_handler
        mov ebx, 0x80
        ; TODO 1: the attributes of a gate ring 3 may call with INT 0x80
        call set_gate
        lidt [idtr]
        ; TODO 2: the ring-0 stack the CPU switches to on an interrupt from ring 3 (SS0:ESP0)
        mov word [tss + 0x66], 0x68
        mov eax, tss
        mov [gdt + 0x38 + 2], ax
        shr eax, 16
        mov [gdt + 0x38 + 4], al
        mov [gdt + 0x38 + 7], ah
        mov ax, 0x38
        ltr ax
        ; TODO 3: build the IRET frame that enters `user` at CPL 3 (SS, ESP, EFLAGS, CS, EIP)
        iret

set_gate:                               ; eax = handler, ebx = vector, ecx = attributes
        lea edi, [idt + ebx * 8]
        mov [edi], ax
        mov word [edi + 2], 0x08
        mov [edi + 4], cx
        shr eax, 16
        mov [edi + 6], ax
        ret

user:
        mov ax, 0x2B
        mov ds, ax
        mov es, ax
        cli                             ; #GP(0): IOPL is 0 and CPL is 3
        mov cr3, eax                    ; #GP(0): MOV to CR needs CPL 0
        mov eax, 2                      ; exit(gp_count - 2)
        int 0x80
        jmp $

gp_handler:                             ; [esp] error code, [esp+4] EIP, [esp+8] CS
        push eax
        push ebx
        push ds
        mov ax, 0x10
        mov ds, ax
        inc dword [gp_count]
        ; TODO 4: skip the faulting instruction: 1 byte for CLI (0xFA), 3 for MOV CR3, EAX
        pop ds
        pop ebx
        pop eax
        add esp, 4                      ; drop the error code
        iret

syscall_handler:                        ; eax = 2: exit(gp_count - 2)
        mov dx, 0x10
        mov ds, dx
        mov eax, [gp_count]
        sub eax, 2
        out 0xF4, eax
        jmp $

align 4
gp_count: dd 0
align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 0x08 ring-0 code
        dq 0x00CF92000000FFFF           ; 0x10 ring-0 data
        dq 0
        dq 0x00CFFA000000FFFF           ; 0x20 ring-3 code (selector 0x23)
        dq 0x00CFF2000000FFFF           ; 0x28 ring-3 data (selector 0x2B)
        dq 0
        dw 0x67, 0, 0x8900, 0           ; 0x38 TSS
gdtr:   dw $ - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt
align 8
idt:    times 256 dq 0
tss:    times 0x68 db 0
