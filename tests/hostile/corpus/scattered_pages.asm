; Hostile for the emu backend's mappings: virtual pages mapped to frames in reverse order, so
; no two share a VA-to-PA offset and each needs a Unicorn region of its own. Unicorn 2.0.1
; aborts the process at 4096 memory sections; the backend drops its mappings (a cache of the
; guest's translations) at 2048 regions. With PAGES = 2048 this guest crosses that line (checked
; by hand: "ok" after 54 317 instructions, but 2 minutes, as each Unicorn mapping costs more the
; more exist); the corpus runs 256 pages to stay fast. The guest reads every page twice, checks
; what it wrote, prints "ok" and halts.
; ringside: entry=long load=0x10000
; console: ok
; expect: emu=hlt kvm=hlt
bits 64
org 0x10000
PAGES   equ 256
PDPT    equ 0x200000
PD      equ 0x201000
PT      equ 0x202000                    ; four page tables, 0x202000-0x205fff
FRAMES  equ 0x400000                    ; 8 MiB of frames, 0x400000-0xbfffff
VBASE   equ 0x8000000000                ; PML4 entry 1: 512 GiB

        mov rdi, PDPT                   ; clear the PDPT, PD and page tables
        xor eax, eax
        mov ecx, (2 + 4) * 512
        rep stosq
        mov rax, cr3
        and rax, ~0xfff
        mov qword [rax + 8], PDPT | 3   ; PML4[1] -> PDPT
        mov qword [PDPT], PD | 3
        mov rdi, PD                     ; PD[0..3] -> the four page tables
        mov rax, PT | 3
        mov ecx, 4
.pd:    stosq
        add rax, 0x1000
        loop .pd
        xor ecx, ecx                    ; PT entry i -> frame PAGES-1-i
.pt:    mov rax, PAGES - 1
        sub rax, rcx
        shl rax, 12
        add rax, FRAMES | 3
        mov [PT + rcx * 8], rax
        inc ecx
        cmp ecx, PAGES
        jb .pt
        mov rax, cr3                    ; the new PML4 entry
        mov cr3, rax

        mov rsi, VBASE                  ; write each page's index into it
        xor ecx, ecx
.fill:  mov [rsi], rcx
        add rsi, 4096
        inc ecx
        cmp ecx, PAGES
        jb .fill
        mov r8d, 2                      ; read every page back, twice
.pass:  mov rsi, VBASE
        xor ecx, ecx
.check: cmp [rsi], rcx
        jne bad
        add rsi, 4096
        inc ecx
        cmp ecx, PAGES
        jb .check
        dec r8d
        jnz .pass
        mov rsi, FRAMES                 ; the first frame holds the last page's index
        cmp qword [rsi], PAGES - 1
        jne bad
        mov al, 'o'
        out 0xE9, al
        mov al, 'k'
        out 0xE9, al
        hlt
bad:    mov al, '!'
        out 0xE9, al
        hlt
