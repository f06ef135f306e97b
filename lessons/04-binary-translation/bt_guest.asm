; Lesson 04: binary translation. A guest kernel runs a loop of ten iterations whose body holds
; sensitive instructions (PUSHFD, CLI, POPFD) and a call; under --virt bt the loop's block is
; translated once, its sensitive instructions rewritten into calls to the VMM, and found in the
; translation cache nine times. Then the kernel drops to ring 3, where a user loop runs
; directly (never translated), and asks the kernel to exit with INT 0x80.
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
        mov eax, exit_handler           ; INT 0x80 gate, callable from ring 3
        mov [idt + 0x80 * 8], ax
        mov word [idt + 0x80 * 8 + 2], 0x08
        mov word [idt + 0x80 * 8 + 4], 0xEE00
        shr eax, 16
        mov [idt + 0x80 * 8 + 6], ax
        lidt [idtr]
        mov dword [tss + 4], 0x80000    ; ESP0
        mov dword [tss + 8], 0x10       ; SS0
        mov eax, tss
        mov [gdt + 0x38 + 2], ax
        shr eax, 16
        mov [gdt + 0x38 + 4], al
        mov [gdt + 0x38 + 7], ah
        mov ax, 0x38
        ltr ax
        sti
        mov ecx, 10
        jmp kernel_loop                 ; entered by a jump, like every later iteration
kernel_loop:                            ; the block the translation cache keeps
        pushfd                          ; sensitive: IF
        cli                             ; privileged
        call work
        popfd                           ; sensitive: restores IF
        dec ecx
        jnz kernel_loop
        push dword 0x2B                 ; to ring 3
        push dword 0x70000
        push dword 0x202
        push dword 0x23
        push dword user
        iret

work:   add ebx, ecx                    ; innocuous: runs as it is
        ret

user:                                   ; ring 3: runs directly, untranslated
        mov ecx, 10
.loop:  add edx, ecx
        pushfd                          ; at ring 3 not the kernel's business
        popfd
        dec ecx
        jnz .loop
        int 0x80

exit_handler:
        xor eax, eax
        out 0xf4, eax

align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 0x08 ring-0 code
        dq 0x00CF92000000FFFF           ; 0x10 ring-0 data
        dq 0
        dq 0x00CFFA000000FFFF           ; 0x20 ring-3 code (selector 0x23)
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
