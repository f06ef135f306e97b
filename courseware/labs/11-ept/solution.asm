; Lab 11 reference solution: a long-mode guest whose own 4-level tables map VA 0x40000000 to
; PA 0x300000 through 4 KiB pages and VA 0x80000000 to PA 0x400000 through one 2 MiB page. It
; reads both ('A', 'B'), stores twice to the VGA text page (an EPT violation, then a
; misconfiguration) and halts. Graded under mmu = "ept" (lab.toml); run it with
; `ringside run --mmu ept solution.asm`.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0x100000       ; PML4 0x100000, PDPT 0x101000, PD 0x102000, PT 0x103000,
        xor eax, eax            ; PD 0x104000 and PT 0x105000 for VA 0x40000000,
        mov ecx, 7 * 1024       ; PD 0x106000 for VA 0x80000000
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
;; >>> TODO 1
        mov dword [0x101008], 0x104000 | 3      ; PDPTE 1: VA 0x40000000..0x7FFFFFFF
        mov dword [0x104000], 0x105000 | 3
        mov dword [0x105000], 0x300000 | 3      ; VA 0x40000000 -> PA 0x300000 (4 KiB)
;; <<<
;; >>> TODO 2
        mov dword [0x101010], 0x106000 | 3      ; PDPTE 2: VA 0x80000000..0xBFFFFFFF
        mov dword [0x106000], 0x400000 | 0x83   ; VA 0x80000000 -> PA 0x400000 (2 MiB, PS)
;; <<<
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
;; >>> TODO 3
        mov rsi, 0x40000000
        mov eax, [rsi]          ; a cold 2-D walk through 4 KiB pages: 'A'
        out 0xE9, al
;; <<<
;; >>> TODO 4
        mov rdi, 0x80000000
        mov eax, [rdi]          ; a 2 MiB guest page: 'B'
        out 0xE9, al
;; <<<
;; >>> TODO 5
        mov byte [0xB8000], 'E' ; VGA: the first touch of a device page
        mov byte [0xB8002], 'P' ; the same page again
;; <<<
        mov al, 10
        out 0xE9, al
        hlt
