; Real mode to protected mode by the guest itself: LGDT, CR0.PE, a far jump to 32-bit code,
; segment reloads, and back to a 16-bit real-mode stop after leaving protected mode again.
; ringside: entry=real
bits 16
org 0x7C00
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        mov al, 'r'
        out 0xE9, al
        lgdt [gdtr]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp 0x08:pm
bits 32
pm:     mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov al, 'p'
        out 0xE9, al
        mov ebx, 0xC0DE0032
        jmp 0x18:pm16           ; 16-bit protected mode code segment
bits 16
pm16:   mov eax, cr0
        and al, 0xFE
        mov cr0, eax
        jmp 0x0000:real_again
real_again:
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov al, 'R'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        xor eax, eax            ; no CR0 value stays in a register
        cmp ebx, 0xC0DE0032
        hlt
align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF   ; 0x08 32-bit code
        dq 0x00CF92000000FFFF   ; 0x10 data
        dq 0x00009A000000FFFF   ; 0x18 16-bit code, base 0
gdtr:   dw $ - gdt - 1
        dd gdt
