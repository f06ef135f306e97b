; diff: skip-on=pvm reason="PVM supports paging only in long mode: CR0.PG with 32-bit paging shuts the vCPU down"
; Protected mode with 32-bit (non-PAE) paging: identity-maps 4 MiB with 4 KiB pages, maps
; VA 0x800000 to frame 0x300000 and checks that writes through the alias land there.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0x100000       ; page directory; page tables at 0x101000 and 0x102000
        mov ecx, 3 * 1024
        xor eax, eax
        rep stosd
        mov dword [0x100000], 0x101000 | 3
        mov dword [0x100008], 0x102000 | 3      ; PDE 2: VA 0x800000..0xBFFFFF
        mov edi, 0x101000
        mov eax, 3
        mov ecx, 1024
.fill:  stosd
        add eax, 0x1000
        loop .fill
        mov dword [0x102000], 0x300000 | 3      ; VA 0x800000 → PA 0x300000
        mov eax, 0x100000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov dword [0x800000], 0x600DF00D
        mov ebx, [0x300000]     ; through the identity map
        mov al, 'p'
        out 0xE9, al
        mov al, 'g'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov eax, 0
        cmp ebx, 0x600DF00D
        je .ok
        mov eax, 1
.ok:    out 0xF4, eax
