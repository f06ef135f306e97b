; Long mode #PF through a 64-bit IDT: VA 0x40000000 is not present; the handler checks CR2 and
; the error code (a write to a not-present page: 2), maps it to PA 0x310000, INVLPGs and
; returns; the write retries and lands in the frame. Exit code 0 when everything matched.
; The tables are built in protected mode and long mode is entered with them (the emu backend
; cannot yet reload CR3 with paging on in long mode: reported).
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0x100000       ; PML4, PDPT, PD (first GiB: 2 MiB pages), PD + PT for VA 1 GiB
        xor eax, eax
        mov ecx, 5 * 1024
        rep stosd
        mov dword [0x100000], 0x101000 | 3
        mov dword [0x101000], 0x102000 | 3
        mov dword [0x101008], 0x103000 | 3
        mov dword [0x102000], 0x000083          ; 0..2 MiB
        mov dword [0x102008], 0x200083          ; 2..4 MiB
        mov dword [0x103000], 0x104000 | 3      ; PT 0x104000: every entry not present
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
long64: xor ecx, ecx            ; no CR or EFER value stays in a register
        xor edx, edx
        cmp rax, 0x100000       ; defined flags in the pushed RFLAGS image
        mov dword [0x40000010], 0x5EED5EED      ; #PF, then retried
        mov ebx, [0x310010]     ; through the identity map
        mov al, 'p'
        out 0xE9, al
        mov al, 'f'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov rcx, [fault_addr]
        mov rdx, [fault_err]
        mov eax, 1
        cmp ebx, 0x5EED5EED
        jne .out
        mov rsi, 0x40000010
        cmp rcx, rsi
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
