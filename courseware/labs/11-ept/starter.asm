; Lab 11 starter: a long-mode guest with its own 4-level page tables, graded under --mmu ept.
; The identity map of the first 2 MiB (4 KiB pages) is done. Fill in the TODOs (lab.en.md) and
; run it with `ringside run --mmu ept starter.asm`.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0x100000       ; PML4 0x100000, PDPT 0x101000, PD 0x102000, PT 0x103000,
        xor eax, eax            ; PD 0x104000 and PT 0x105000 for VA 0x40000000,
        mov ecx, 7 * 1024       ; PD 0x106000 for VA 0x80000000: all zeroed
        rep stosd
        mov dword [0x100000], 0x101000 | 3
        mov dword [0x101000], 0x102000 | 3
        mov dword [0x102000], 0x103000 | 3
        mov edi, 0x103000       ; the first 2 MiB identity-mapped with 4 KiB pages
        mov eax, 3
        mov ecx, 512
.fill:  mov [edi], eax
        add edi, 8
        add eax, 0x1000
        dec ecx
        jnz .fill
        ; TODO 1: map VA 0x40000000 -> PA 0x300000 with a 4 KiB page: PDPT entry 1 -> the PD at
        ;         0x104000, its entry 0 -> the PT at 0x105000, its entry 0 -> 0x300000 (P, R/W).
        ; TODO 2: map VA 0x80000000 -> PA 0x400000 with one 2 MiB page: PDPT entry 2 -> the PD
        ;         at 0x106000, whose entry 0 is a large-page leaf (PS, bit 7).
        mov dword [0x300000], 'A'
        mov dword [0x400000], 'B'
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
long64:
        ; TODO 3: read a dword at VA 0x40000000 and print its low byte on port 0xE9 ('A').
        ; TODO 4: read a dword at VA 0x80000000 and print its low byte on port 0xE9 ('B').
        ; TODO 5: store two bytes into the VGA text page (0xB8000, 0xB8002).
        mov al, 10
        out 0xE9, al
        hlt
