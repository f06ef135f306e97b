; Long mode: builds new page tables, loads them with MOV CR3 while paging is on, and reads
; through a mapping only the new tables have (VA 1 GiB -> PA 2 MiB, where the new PML4 is).
; ringside: entry=long load=0x10000
bits 64
org 0x10000
        ; new tables at 0x200000: PML4 -> PDPT -> PD (2 MiB pages), VA 0x40000000 -> PA 0x200000
        mov rdi, 0x200000
        xor eax, eax
        mov ecx, 3 * 512
        rep stosq
        mov qword [0x200000], 0x201000 | 3
        mov qword [0x201000], 0x202000 | 3
        mov qword [0x201008], 0x203000 | 3
        mov qword [0x202000], 0x000083          ; 0..2 MiB identity
        mov qword [0x202008], 0x200083          ; 2..4 MiB identity
        mov qword [0x203000], 0x200083          ; VA 1 GiB -> PA 2 MiB
        mov rax, 0x200000
        mov cr3, rax
        mov rbx, [0x40000000]                  ; reads the PML4's first entry through the alias
        mov rcx, cr3
        mov al, 'k'
        out 0xe9, al
        hlt
