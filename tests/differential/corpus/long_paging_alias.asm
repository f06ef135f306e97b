; Long mode with the guest's own 4-level tables and a non-identity mapping: the first 2 MiB
; identity-mapped with 4 KiB pages, VA 0x40000000 → PA 0x300000 and VA 0x40001000 → PA
; 0x300000 too (two aliases of one frame). Writes through one alias are read through the other.
; The tables are built in protected mode and long mode is entered with them (the emu backend
; cannot yet reload CR3 with paging on in long mode: reported).
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0x100000       ; PML4 0x100000, PDPT 0x101000, PD 0x102000, PT 0x103000,
        xor eax, eax            ; PD 0x104000 and PT 0x105000 for VA 0x40000000
        mov ecx, 6 * 1024
        rep stosd
        mov dword [0x100000], 0x101000 | 3
        mov dword [0x101000], 0x102000 | 3
        mov dword [0x101008], 0x104000 | 3      ; PDPTE 1: VA 0x40000000..0x7FFFFFFF
        mov dword [0x102000], 0x103000 | 3
        mov edi, 0x103000
        mov eax, 3
        mov ecx, 512
.fill:  mov [edi], eax
        add edi, 8
        add eax, 0x1000
        dec ecx
        jnz .fill
        mov dword [0x104000], 0x105000 | 3
        mov dword [0x105000], 0x300000 | 3      ; VA 0x40000000 → PA 0x300000
        mov dword [0x105008], 0x300000 | 3      ; VA 0x40001000 → the same frame
        mov eax, cr4
        or eax, 1 << 5          ; PAE
        mov cr4, eax
        mov eax, 0x100000
        mov cr3, eax
        mov ecx, 0xC0000080
        rdmsr
        or eax, 1 << 8          ; EFER.LME
        wrmsr
        mov eax, cr0
        or eax, 1 << 31
        mov cr0, eax
        jmp 0x18:long64
bits 64
long64: xor ecx, ecx            ; no CR or EFER value stays in a register
        xor edx, edx
        mov rax, 0x1122334455667788
        mov [0x40000008], rax
        mov rbx, [0x40001008]   ; the other alias
        mov rsi, 0x40000000
        mov dword [rsi + 0x100], 0xABCD1234
        mov rax, cr3
        mov rdx, rax            ; 0x100000
        mov al, 'a'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov rax, 0
        mov rcx, 0x1122334455667788
        cmp rbx, rcx
        hlt
