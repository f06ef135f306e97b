; Hostile: a guest rewriting its own page tables and reloading CR3 in a loop. Two PML4s share
; the platform's PDPT; each round rewrites one PML4's entry, switches CR3 to it and reads
; through the new mapping, forever.
; Slow on emu (each MOV CR3 costs ~0.15 ms there: 200 000 instructions took 8 s), hence the
; smaller budget.
; ringside: entry=long load=0x10000
; max-insns: 40000
; expect: emu=budget kvm=timeout
bits 64
org 0x10000
        mov rdi, 0x100000               ; two PML4 pages at 0x100000 and 0x101000
        xor eax, eax
        mov ecx, 2 * 512
        rep stosq
        mov rbx, [0x2000]               ; the platform PML4's first entry (first GiB)
        xor ecx, ecx
churn:  mov [0x100000], rbx
        mov rax, 0x100000
        mov cr3, rax
        mov rdx, [0x10000]              ; a read through the new tables
        mov qword [0x101000], 0
        mov [0x101000], rbx
        mov rax, 0x101000
        mov cr3, rax
        add rcx, [0x10000]
        jmp churn
