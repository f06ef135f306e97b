; diff: skip-on=pvm reason="PVM supports paging only in long mode: PAE paging without LME shuts the vCPU down"
; Protected mode with PAE paging (no long mode): 2 MiB identity pages and a 4 KiB page at
; VA 0x40000000 mapped to frame 0x310000; writes through the alias must land in that frame.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0x100000       ; PDPT 0x100000 (32 bytes), PD 0x101000, PD 0x102000, PT 0x103000
        mov ecx, 4 * 1024
        xor eax, eax
        rep stosd
        mov dword [0x100000], 0x101000 | 1
        mov dword [0x100008], 0x102000 | 1      ; PDPTE 1: VA 0x40000000..0x7FFFFFFF
        mov dword [0x101000], 0x000083          ; 2 MiB identity pages: 0..4 MiB
        mov dword [0x101008], 0x200083
        mov dword [0x102000], 0x103000 | 3
        mov dword [0x103000], 0x310000 | 3      ; VA 0x40000000 → PA 0x310000
        mov eax, cr4
        or eax, 1 << 5
        mov cr4, eax
        mov eax, 0x100000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov dword [0x40000010], 0xFEEDFACE
        mov esi, 0x310000
        mov ebx, [esi + 0x10]
        mov al, 'P'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov eax, 0
        cmp ebx, 0xFEEDFACE
        je .ok
        mov eax, 1
.ok:    out 0xF4, eax
