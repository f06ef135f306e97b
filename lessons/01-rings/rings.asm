; Rings, CPL and privileged instructions. A ring-0 "kernel" sets up its own GDT, IDT and TSS,
; drops to ring 3 with IRET, and the ring-3 "program" executes HLT. HLT is privileged: at
; CPL 3 it does not halt, it raises #GP(0), delivered through the IDT back to ring 0. The
; handler prints what it saw (the CPL of the interrupted code, from the saved CS), skips the
; HLT and returns to ring 3, which asks the kernel to stop through INT 0x80.
; Run it:  ringside run lessons/01-rings/rings.asm
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
start:
        lgdt [gdtr]
        jmp 0x08:.reload                ; CS = 0x08: index 1, RPL 0 -> CPL 0
.reload:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x90000
        mov eax, gp_handler
        mov ebx, 13                     ; #GP
        mov ecx, 0x8E00                 ; present, DPL 0, 32-bit interrupt gate
        call set_gate
        mov eax, syscall_handler
        mov ebx, 0x80
        mov ecx, 0xEE00                 ; present, DPL 3: INT 0x80 allowed from ring 3
        call set_gate
        lidt [idtr]
        mov dword [tss + 4], 0x80000    ; ESP0: the ring-0 stack used on the way back in
        mov dword [tss + 8], 0x10       ; SS0
        mov word [tss + 0x66], 0x68     ; no I/O permission bitmap
        mov eax, tss
        mov [gdt + 0x38 + 2], ax
        shr eax, 16
        mov [gdt + 0x38 + 4], al
        mov [gdt + 0x38 + 7], ah
        mov ax, 0x38
        ltr ax
        mov esi, msg_kernel
        call print
        push dword 0x2B                 ; SS: ring-3 data, RPL 3
        push dword 0x70000              ; ESP
        push dword 0x002                ; EFLAGS (IF = 0, IOPL = 0)
        push dword 0x23                 ; CS: ring-3 code, RPL 3 -> CPL 3 after IRET
        push dword user
        iret

set_gate:                               ; eax = handler, ebx = vector, ecx = attributes
        lea edi, [idt + ebx * 8]
        mov [edi], ax
        mov word [edi + 2], 0x08
        mov [edi + 4], cx
        shr eax, 16
        mov [edi + 6], ax
        ret

user:                                   ; ring 3
        mov ax, 0x2B
        mov ds, ax
        mov es, ax
        mov esi, msg_user
        mov eax, 1
        int 0x80
hlt_site:
        hlt                             ; privileged: #GP(0) at CPL 3
        mov esi, msg_back
        mov eax, 1
        int 0x80
        mov eax, 2                      ; exit(0)
        xor ebx, ebx
        int 0x80
        jmp $

gp_handler:                             ; [esp] error code, [esp+4] EIP, [esp+8] CS
        push eax
        push ds
        mov ax, 0x10
        mov ds, ax
        mov esi, msg_gp
        call print
        mov eax, [esp + 16]             ; the interrupted CS: its low two bits were the CPL
        and eax, 3
        add al, '0'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        inc dword [esp + 12]            ; skip the one-byte HLT
        pop ds
        pop eax
        add esp, 4                      ; drop the error code
        iret

syscall_handler:                        ; eax = 1: print [esi]; eax = 2: exit(ebx)
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

print:                                  ; print the zero-terminated string at esi
        push eax
.next:  lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp .next
.done:  pop eax
        ret

msg_kernel: db "kernel: ring 0, dropping to ring 3", 10, 0
msg_user:   db "user: ring 3, trying HLT", 10, 0
msg_gp:     db "kernel: #GP from CPL ", 0
msg_back:   db "user: back in ring 3", 10, 0
align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 0x08 ring-0 code (DPL 0)
        dq 0x00CF92000000FFFF           ; 0x10 ring-0 data
        dq 0
        dq 0x00CFFA000000FFFF           ; 0x20 ring-3 code (DPL 3, selector 0x23)
        dq 0x00CFF2000000FFFF           ; 0x28 ring-3 data (selector 0x2B)
        dq 0
        dw 0x67, 0, 0x8900, 0           ; 0x38 TSS (base filled in at run time)
gdtr:   dw $ - gdt - 1
        dd gdt
idtr:   dw 256 * 8 - 1
        dd idt
align 8
idt:    times 256 dq 0
tss:    times 0x68 db 0
