; A process address space for the memory models (--mmu native|shadow|ept, docs/memory.md):
; builds two 4-level address spaces, takes a true #PF (a write to a not-present page, error
; code 2) whose handler maps the page and INVLPGs, edits a present PTE and INVLPGs, switches
; CR3 to the second space and back. Under --mmu shadow every PTE store is a write to a
; write-protected guest page table (emulated by the VMM), the first touches are hidden faults.
; Exit code 0 when every value read matched; the final registers hold what was read.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0x100000       ; space A: PML4 0x100000, PDPT 0x101000, PD 0x102000, PD 0x103000
        xor eax, eax            ; PT 0x104000; space B: PML4 0x105000, PDPT 0x106000,
        mov ecx, 9 * 1024       ; PD 0x107000, PT 0x108000
        rep stosd
        mov dword [0x100000], 0x101000 | 3
        mov dword [0x101000], 0x102000 | 3
        mov dword [0x101008], 0x103000 | 3
        mov dword [0x102000], 0x000083          ; 0..2 MiB (shared by both spaces)
        mov dword [0x102008], 0x200083          ; 2..4 MiB
        mov dword [0x103000], 0x104000 | 3      ; VA 1 GiB: PT 0x104000, nothing present yet
        mov dword [0x105000], 0x106000 | 3
        mov dword [0x106000], 0x102000 | 3
        mov dword [0x106008], 0x107000 | 3
        mov dword [0x107000], 0x108000 | 3
        mov dword [0x108000], 0x320000 | 3      ; space B: VA 1 GiB -> PA 0x320000
        mov dword [0x320010], 0xB0B0B0B0
        mov dword [0x312010], 0x12345678
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
long64: xor ecx, ecx
        xor edx, edx
        cmp rax, 0x100000       ; defined flags in the pushed RFLAGS image
        mov dword [0x40000010], 0x5EED5EED      ; true #PF, mapped by the handler, retried
        mov ebx, [0x310010]     ; the same bytes through the identity map
        mov qword [0x104000], 0x312000 | 3      ; edit the present PTE: VA 1 GiB -> 0x312000
        invlpg [0x40000000]
        mov esi, [0x40000010]   ; 0x12345678
        mov rax, 0x105000
        mov cr3, rax            ; space B
        mov edi, [0x40000010]   ; 0xB0B0B0B0
        mov rax, 0x100000
        mov cr3, rax            ; back to A
        mov ebp, [0x40000010]   ; 0x12345678 again
        mov rcx, [rel fault_addr]
        mov rdx, [rel fault_err]
        mov eax, 1
        cmp ebx, 0x5EED5EED
        jne .out
        cmp esi, 0x12345678
        jne .out
        cmp edi, 0xB0B0B0B0
        jne .out
        cmp ebp, 0x12345678
        jne .out
        mov r8, 0x40000010
        cmp rcx, r8
        jne .out
        cmp rdx, 2
        jne .out
        mov eax, 0
.out:   out 0xF4, eax

pf_handler:
        push rax
        mov rax, cr2
        mov [rel fault_addr], rax
        mov rax, [rsp + 8]      ; error code
        mov [rel fault_err], rax
        mov qword [0x104000], 0x310000 | 3
        invlpg [0x40000000]
        pop rax
        add rsp, 8
        iretq
align 8
fault_addr: dq 0
fault_err:  dq -1
idtr:   dw 256 * 16 - 1
        dq idt
align 16
idt:    times 256 * 2 dq 0
