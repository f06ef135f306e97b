; Starts in real mode and switches itself to protected mode and then to 64-bit long mode,
; printing R, P and L on the debug console as it reaches each mode. Stops with HLT.
; ringside: entry=real
bits 16
org 0x7C00
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7C00
        mov al, 'R'
        out 0xE9, al
        lgdt [gdtr]
        mov eax, cr0
        or eax, 1
        mov cr0, eax
        jmp dword 0x08:pm32
bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x90000
        mov al, 'P'
        out 0xE9, al
        ; identity-map the first 2 MiB with one 2 MiB page: PML4 0x70000, PDPT 0x71000, PD 0x72000
        mov edi, 0x70000
        xor eax, eax
        mov ecx, 3 * 1024
        rep stosd
        mov dword [0x70000], 0x71000 | 3
        mov dword [0x71000], 0x72000 | 3
        mov dword [0x72000], 0x000083
        mov eax, cr4
        or eax, 1 << 5
        mov cr4, eax
        mov eax, 0x70000
        mov cr3, eax
        mov ecx, 0xC0000080
        rdmsr
        or eax, 1 << 8
        wrmsr
        mov eax, cr0
        or eax, 1 << 31
        mov cr0, eax
        jmp 0x18:lm64
bits 64
lm64:
        mov al, 'L'
        out 0xE9, al
        mov rax, 0x1122334455667788
        hlt
align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF   ; 0x08 32-bit code
        dq 0x00CF92000000FFFF   ; 0x10 data
        dq 0x00AF9A000000FFFF   ; 0x18 64-bit code
gdtr:   dw $ - gdt - 1
        dd gdt
