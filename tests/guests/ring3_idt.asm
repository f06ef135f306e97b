; Protected mode with its own GDT, IDT and TSS. Drops to ring 3 with IRET; ring 3 asks the
; ring-0 "kernel" to print through INT 0x80, executes CLI (a #GP at CPL 3), which the #GP
; handler counts and skips before IRET back to ring 3, then exits through INT 0x80 with
; exit code (number of #GPs - 1): 0 when exactly one #GP was taken.
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
        mov ecx, 0x8E00         ; present, DPL 0, 32-bit interrupt gate
        call set_gate
        mov eax, syscall_handler
        mov ebx, 0x80
        mov ecx, 0xEE00         ; present, DPL 3: callable from ring 3
        call set_gate
        lidt [idtr]
        mov dword [tss + 4], 0x80000   ; ESP0
        mov dword [tss + 8], 0x10      ; SS0
        mov word [tss + 0x66], 0x68    ; no I/O bitmap
        mov eax, tss
        mov [gdt + 0x38 + 2], ax
        shr eax, 16
        mov [gdt + 0x38 + 4], al
        mov [gdt + 0x38 + 7], ah
        mov ax, 0x38
        ltr ax
        push dword 0x2B         ; SS (ring-3 data)
        push dword 0x70000      ; ESP
        push dword 0x002        ; EFLAGS
        push dword 0x23         ; CS (ring-3 code)
        push dword user
        iret

set_gate:                       ; eax = handler, ebx = vector, ecx = attributes
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
        mov esi, msg_user
        mov eax, 1
        int 0x80
cli_site:
        cli                     ; privileged: #GP(0) at CPL 3
        mov esi, msg_back
        mov eax, 1
        int 0x80
        mov ebx, [gp_count]
        dec ebx
        mov eax, 2
        int 0x80
        jmp $

gp_handler:                     ; [esp] error code, [esp+4] EIP, [esp+8] CS …
        push eax
        push ds
        mov ax, 0x10
        mov ds, ax
        inc dword [gp_count]
        mov eax, [esp + 8]
        mov [gp_error], eax
        mov eax, [esp + 16]
        mov [gp_cs], eax
        mov esi, msg_gp
        call print
        inc dword [esp + 12]    ; skip the one-byte CLI
        pop ds
        pop eax
        add esp, 4              ; drop the error code
        iret

syscall_handler:                ; eax = 1: print [esi]; eax = 2: exit(ebx)
        push ds
        push edx
        mov dx, 0x10
        mov ds, dx
        cmp eax, 2
        je .exit
        call print
        pop edx
        pop ds
        iret
.exit:
        mov eax, ebx
        out 0xF4, eax
        jmp $

print:                          ; print the zero-terminated string at esi
        push eax
.next:  lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp .next
.done:  pop eax
        ret

msg_user: db "ring 3", 10, 0
msg_gp:   db "#GP", 10, 0
msg_back: db "back in ring 3", 10, 0
align 4
gp_count: dd 0
gp_error: dd 0xFFFFFFFF
gp_cs:    dd 0
align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF   ; 0x08 ring-0 code
        dq 0x00CF92000000FFFF   ; 0x10 ring-0 data
        dq 0
        dq 0x00CFFA000000FFFF   ; 0x20 ring-3 code (selector 0x23)
        dq 0x00CFF2000000FFFF   ; 0x28 ring-3 data (selector 0x2B)
        dq 0
        dw 0x67, 0, 0x8900, 0   ; 0x38 TSS (base filled in at run time)
gdtr:   dw $ - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt
align 8
idt:    times 256 dq 0
tss:    times 0x68 db 0
