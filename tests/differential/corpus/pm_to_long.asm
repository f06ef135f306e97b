; Protected mode to long mode by the guest itself: builds 4-level tables (2 MiB identity page),
; enables PAE, sets EFER.LME, turns on paging and far-jumps into 64-bit code, which uses a
; 64-bit register and halts.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0x100000       ; PML4 0x100000, PDPT 0x101000, PD 0x102000
        xor eax, eax
        mov ecx, 3 * 1024
        rep stosd
        mov dword [0x100000], 0x101000 | 3
        mov dword [0x101000], 0x102000 | 3
        mov dword [0x102000], 0x000083
        mov al, '3'
        out 0xE9, al
        mov eax, cr4
        or eax, 1 << 5
        mov cr4, eax
        mov eax, 0x100000
        mov cr3, eax
        mov ecx, 0xC0000080
        rdmsr
        or eax, 1 << 8
        wrmsr
        mov eax, cr0
        or eax, 1 << 31
        mov cr0, eax
        jmp 0x18:long64         ; the platform GDT's 64-bit code selector
bits 64
long64: mov al, '6'
        out 0xE9, al
        mov al, '4'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov rax, 0x0123456789ABCDEF
        mov rbx, rax
        ror rbx, 32
        xor ecx, ecx            ; no CR0 or EFER value stays in a register
        xor edx, edx
        cmp rax, rbx
        hlt
