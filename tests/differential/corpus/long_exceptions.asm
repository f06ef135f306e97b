; Long mode #GP through a 64-bit IDT: a selector beyond the GDT limit (error code 0x80) and a
; non-canonical address (error code 0). The handler records vector and error code and skips
; the faulting instruction by its known length. Exit code 0 when both arrived in order.
; Long mode is entered from protected mode by the guest.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0x100000       ; PML4 0x100000, PDPT 0x101000, PD 0x102000: 0..2 MiB identity
        xor eax, eax
        mov ecx, 3 * 1024
        rep stosd
        mov dword [0x100000], 0x101000 | 3
        mov dword [0x101000], 0x102000 | 3
        mov dword [0x102000], 0x000083
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
long64:
        lea rax, [rel ud_handler]
        mov ebx, 6
        call set_gate
        lea rax, [rel gp_handler]
        mov ebx, 13
        call set_gate
        lidt [idtr]
        mov eax, 7
        xor edx, edx
        xor ecx, ecx
        cmp eax, 7              ; defined flags in every pushed RFLAGS image
        mov ax, 0x80            ; beyond the GDT limit
        cmp ax, 0x80
        mov ds, ax              ; 2 bytes: #GP(0x80)
        mov rsi, 0x8000000000000000
        mov rax, [rsi]          ; 3 bytes, non-canonical: #GP(0)
        mov al, 'x'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov rbx, [rel seen]     ; vectors in arrival order, one per byte
        mov rcx, [rel gp_err]   ; 0x80
        mov rdx, [rel gp_err + 8] ; 0
        mov eax, 1
        mov rsi, 0x0D0D
        cmp rbx, rsi
        jne .out
        mov eax, 0
.out:   out 0xF4, eax

set_gate:                       ; rax handler, ebx vector
        shl rbx, 4
        lea rdi, [rel idt]
        add rdi, rbx
        mov [rdi], ax
        mov word [rdi + 2], 0x18
        mov word [rdi + 4], 0x8E00
        shr rax, 16
        mov [rdi + 6], ax
        shr rax, 16
        mov [rdi + 8], eax
        ret

note:                           ; dl = vector
        mov rdi, [rel count]
        lea rax, [rel seen]
        mov [rax + rdi], dl
        inc qword [rel count]
        ret
ud_handler:
        mov dl, 6
        call note
        add qword [rsp], 2
        iretq
gp_handler:
        mov dl, 13
        call note
        mov rax, [rsp]          ; error code
        mov rdi, [rel count]
        lea rdx, [rel gp_err]
        mov [rdx + rdi * 8 - 8], rax
        add rsp, 8
        mov rax, [rel count]
        cmp rax, 1
        je .first
        add qword [rsp], 3      ; MOV RAX, [RSI]
        iretq
.first: add qword [rsp], 2      ; MOV DS, AX
        iretq
align 8
seen:   dq 0
count:  dq 0
gp_err: dq -1, -1
idtr:   dw 256 * 16 - 1
        dq idt
align 16
idt:    times 256 * 2 dq 0
