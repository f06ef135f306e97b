; Lesson 04: the nanobenchmarks of Adams & Agesen (ASPLOS 2006), one phase each, N = 16 times,
; in a 64-bit kernel with its own 4-level page tables and a ring-3 user part. `ringside compare`
; runs it under every technique and prices each operation (docs/cost-model.md):
;   in       IN from port 0x80 (the BIOS POST port), in the kernel
;   call/ret a near CALL to a RET, in the kernel (BT's indirect-branch penalty)
;   divzero  DIV by zero; the #DE handler skips the 2-byte DIV
;   pgfault  a store to a not-present page; the #PF handler maps it (one PTE store) and the
;            store retries: N true page faults on N pages
;   ptemod   the kernel rewrites the PTE of a live page (frame A <-> frame B) and INVLPGs it,
;            then reads the page through it
;   syscall  ring 3 -> kernel -> ring 3: INT 0x81 and IRETQ. The emu backend has no
;            SYSCALL/SYSENTER (they raise #UD there), so the system call is a software
;            interrupt through a DPL 3 gate, as 32-bit Linux's INT 0x80 was.
; cr8wr (MOV to CR8) is not here: see docs/cost-model.md. At the end ring 3 asks the kernel to
; exit with INT 0x80; the kernel prints "ok" when every value read matched and exits with 0.
; Final registers: rbx = the sum the pgfault and ptemod reads give, r12 = #DE count,
; r13 = #PF count, r14 = system calls.
; ringside: entry=long load=0x10000
bits 64
org 0x10000
N       equ 16
PML4    equ 0x100000
PDPT    equ 0x101000
PD      equ 0x102000
PT_BENCH equ 0x103000           ; VA 4 MiB..6 MiB: the pages of pgfault and ptemod
BENCH_VA equ 0x400000
FRAME_A equ 0x300000            ; pgfault maps page i to FRAME_A + i * 4096
FRAME_B equ 0x340000            ; ptemod swaps page 0 between FRAME_A and FRAME_B

start:
        lgdt [gdtr]
        mov rax, tss
        mov [gdt + 0x38 + 2], ax
        shr rax, 16
        mov [gdt + 0x38 + 4], al
        mov [gdt + 0x38 + 7], ah
        mov word [tss + 0x66], 0x68     ; no I/O bitmap
        mov qword [tss + 4], 0x80000    ; RSP0
        mov ax, 0x38
        ltr ax
        lea rax, [rel de_handler]
        mov ebx, 0
        mov ecx, 0x8E00                 ; DPL 0 interrupt gate
        call set_gate
        lea rax, [rel pf_handler]
        mov ebx, 14
        call set_gate
        lea rax, [rel sys_null]
        mov ebx, 0x81
        mov ecx, 0xEE00                 ; DPL 3: callable from ring 3
        call set_gate
        lea rax, [rel sys_exit]
        mov ebx, 0x80
        call set_gate
        lidt [idtr]

        ; Page tables, each on a page of its own (none shares a page with code).
        mov edi, PML4
        xor eax, eax
        mov ecx, 4 * 512
        rep stosq
        mov qword [PML4], PDPT | 7
        mov qword [PDPT], PD | 7
        mov qword [PD], 0x000000 | 0x87         ; 0..2 MiB: code, stacks, these tables
        mov qword [PD + 8], 0x200000 | 0x87     ; 2..4 MiB: frames A and B
        mov qword [PD + 16], PT_BENCH | 7       ; 4..6 MiB: nothing present yet
        mov dword [FRAME_B], 0x0B0B0B0B
        mov rax, PML4
        mov cr3, rax
        xor ebx, ebx
        xor r12, r12
        xor r13, r13
        xor r14, r14

; --- in: N reads of port 0x80 ---
        mov ecx, N
.in:    in al, 0x80
        dec ecx
        jnz .in

; --- call/ret: N calls of a function that returns at once ---
        mov ecx, N
.call:  call null_fn
        dec ecx
        jnz .call

; --- divzero: N divisions by zero, each skipped by the #DE handler ---
        mov ecx, N
.div:   xor edx, edx
        mov eax, 1
        xor esi, esi
        div esi                         ; #DE; the handler skips these 2 bytes
        dec ecx
        jnz .div

; --- pgfault: N stores to N not-present pages, each mapped by the #PF handler ---
        mov ecx, N
        mov rdi, BENCH_VA
.pf:    mov [rdi], ecx                  ; #PF, then the retried store
        add rbx, [rdi]
        add rdi, 0x1000
        dec ecx
        jnz .pf

; --- ptemod: N rewrites of the live PTE of BENCH_VA, each with INVLPG ---
        mov ecx, N
        mov rdx, FRAME_B | 3
.pte:   mov [PT_BENCH], rdx             ; the store to a live page table
        xor rdx, FRAME_A ^ FRAME_B      ; next time the other frame
        invlpg [BENCH_VA]
        mov eax, [BENCH_VA]             ; through the new PTE: 0x0B0B0B0B or N (from pgfault)
        add rbx, rax
        dec ecx
        jnz .pte

; --- syscall: to ring 3, N null system calls, then exit through INT 0x80 ---
        push qword 0x2B                 ; SS
        push qword 0x70000              ; RSP
        push qword 0x002                ; RFLAGS: IOPL 0
        push qword 0x33                 ; CS: 64-bit ring 3
        lea rax, [rel user]
        push rax
        iretq

user:   mov ecx, N
.sys:   int 0x81
        dec ecx
        jnz .sys
        int 0x80

null_fn:
        ret

set_gate:                               ; rax handler, ebx vector, ecx attributes
        shl rbx, 4
        lea rdi, [rel idt]
        add rdi, rbx
        mov [rdi], ax
        mov word [rdi + 2], 0x18
        mov [rdi + 4], cx
        shr rax, 16
        mov [rdi + 6], ax
        shr rax, 16
        mov [rdi + 8], eax
        mov dword [rdi + 12], 0
        ret

de_handler:                             ; [rsp] RIP of the DIV
        inc r12
        add qword [rsp], 2
        iretq

pf_handler:                             ; [rsp] error code, [rsp + 8] RIP
        push rax
        push rdx
        inc r13
        mov rax, cr2
        sub rax, BENCH_VA
        shr rax, 12                     ; page index i
        mov rdx, rax
        shl rdx, 12
        add rdx, FRAME_A | 3
        mov [PT_BENCH + rax * 8], rdx   ; map page i: a store to a page table, no INVLPG
        pop rdx                         ; (a not-present entry is never cached)
        pop rax
        add rsp, 8
        iretq

sys_null:
        inc r14
        iretq

sys_exit:                               ; from ring 3: check the sums, print, exit
        ; pgfault read back N + (N-1) + ... + 1; ptemod alternately B's 0x0B0B0B0B and A's N
        mov rax, N * (N + 1) / 2 + (N / 2) * (0x0B0B0B0B + N)
        mov ecx, 1
        cmp rbx, rax
        jne .out
        cmp r12, N
        jne .out
        cmp r13, N
        jne .out
        cmp r14, N
        jne .out
        mov al, 'o'
        out 0xE9, al
        mov al, 'k'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        xor ecx, ecx
.out:   mov eax, ecx
        out 0xF4, eax
        jmp $

align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF   ; 0x08
        dq 0x00CF92000000FFFF   ; 0x10 ring-0 data
        dq 0x00AF9A000000FFFF   ; 0x18 ring-0 64-bit code
        dq 0
        dq 0x00CFF2000000FFFF   ; 0x28 ring-3 data (selector 0x2B)
        dq 0x00AFFA000000FFFF   ; 0x30 ring-3 64-bit code (selector 0x33)
        dw 0x67, 0, 0x8900, 0   ; 0x38 64-bit TSS (16 bytes)
        dq 0
gdtr:   dw $ - gdt - 1
        dq gdt
idtr:   dw 256 * 16 - 1
        dq idt
align 16
idt:    times 256 * 2 dq 0
tss:    times 0x68 db 0
