; Hostile page tables for the memory models (--mmu native|shadow|ept, docs/memory.md): a
; self-referencing PML4 entry, a page table outside RAM, a reserved bit in a PTE, and a loop
; that rewrites a PTE 200 times. Each faulting access is `mov rax, [rbx]` (3 bytes); the #PF
; handler records CR2 and the error code and skips it. Exit code 0 when every fault and every
; value read was the expected one.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0x100000       ; PML4 0x100000, PDPT 0x101000, PD 0x102000 (0..4 MiB, 2 MiB
        xor eax, eax            ; pages), PD 0x103000 -> PT 0x104000 for VA 1 GiB
        mov ecx, 5 * 1024
        rep stosd
        mov dword [0x100000], 0x101000 | 3
        mov dword [0x100008], 0x100000 | 3      ; PML4[1] -> the PML4 itself
        mov dword [0x101000], 0x102000 | 3
        mov dword [0x101008], 0x103000 | 3
        mov dword [0x101010], 0x40000000 | 3    ; PDPT[2] -> a PD at 1 GiB: outside RAM
        mov dword [0x102000], 0x000083
        mov dword [0x102008], 0x200083
        mov dword [0x103000], 0x104000 | 3
        mov dword [0x104000], 0x300000 | 3      ; VA 1 GiB -> 0x300000
        mov dword [0x104008], 0x301000 | 3      ; VA 1 GiB + 4K: bit 51 set (reserved)
        mov dword [0x10400C], 0x00080000
        mov dword [0x300000], 0xA1
        mov dword [0x301000], 0xA2
        mov eax, pf_handler
        mov [idt + 14 * 16], ax
        mov word [idt + 14 * 16 + 2], 0x18
        mov word [idt + 14 * 16 + 4], 0x8E00
        shr eax, 16
        mov [idt + 14 * 16 + 6], ax
        shr eax, 16
        mov [idt + 14 * 16 + 8], eax
        lidt [idtr]
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
        jmp 0x18:long64
bits 64
long64: xor ecx, ecx
        xor edx, edx
        cmp rax, 0x100000
        ; Self-reference: PML4 index 1 at every level lands on the PML4 page itself.
        mov rbx, 0x8040201000
        mov rax, [rbx]
        mov r12, rax            ; the PML4's first entry: 0x101003 plus A
        ; A page directory outside RAM: read as not present, #PF(0).
        mov rbx, 0x80000000
        mov rax, [rbx]
        ; A reserved bit: #PF(P | RSVD) = 9.
        mov rbx, 0x40001000
        mov rax, [rbx]
        ; Rewrite one PTE 200 times, alternating two frames, reading through it each time.
        mov ecx, 200
        xor r13, r13
.loop:  mov eax, ecx
        and eax, 1
        shl eax, 12
        or eax, 0x300000 | 3
        mov [0x104000], rax
        invlpg [0x40000000]
        mov rbx, 0x40000000
        mov rax, [rbx]
        add r13, rax
        dec ecx
        jnz .loop
        mov r14, [rel faults]
        mov r15, [rel log]
        mov rsi, [rel log + 8]
        mov rdi, [rel log + 16]
        mov rbp, [rel log + 24]
        mov eax, 1
        and r12, ~0x60          ; A/D may differ by when they were set: compare the rest
        cmp r12, 0x101003 & ~0x60
        jne .out
        cmp r14, 2
        jne .out
        mov r8, 0x80000000
        cmp r15, r8
        jne .out
        cmp rsi, 0
        jne .out
        mov r8, 0x40001000
        cmp rdi, r8
        jne .out
        cmp rbp, 9
        jne .out
        cmp r13, 100 * 0xA1 + 100 * 0xA2
        jne .out
        mov eax, 0
.out:   out 0xF4, eax

pf_handler:                     ; log[2n] = CR2, log[2n+1] = error code; skip `mov rax, [rbx]`
        push rax
        push rcx
        mov rcx, [rel faults]
        shl rcx, 4
        lea rax, [rel log]
        add rcx, rax
        mov rax, cr2
        mov [rcx], rax
        mov rax, [rsp + 16]
        mov [rcx + 8], rax
        inc qword [rel faults]
        add qword [rsp + 24], 3
        pop rcx
        pop rax
        add rsp, 8
        iretq
align 8
faults: dq 0
log:    times 8 dq 0
idtr:   dw 256 * 16 - 1
        dq idt
align 16
idt:    times 256 * 2 dq 0
