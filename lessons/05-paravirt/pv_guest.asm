; A paravirtualized guest (Xen-style, docs/hypercalls.md): it knows it runs on a hypervisor
; and asks it for things with hypercalls instead of touching the hardware.
;  1. CPUID leaf 0x40000000: is this Ringside's PV interface? If not, say so and stop.
;  2. WRMSR 0x40000000 with a page address: the VMM writes the hypercall page there.
;  3. console_write: one hypercall prints a whole line (no OUT per byte).
;  4. mmu_update: sixteen page-table entries in one hypercall, one VMM transition.
;  5. exit.
; Run it:  ringside run --virt pv lessons/05-paravirt/pv_guest.asm
; ringside: entry=long load=0x10000
bits 64
org 0x10000

HCALL_PAGE  equ 0x20000
NEW_PD      equ 0x30000             ; the guest's new page directory and page table
NEW_PT      equ 0x31000
MAPPED_VA   equ 0x40000000          ; 1 GiB: PDPT entry 1
FRAMES      equ 0x100000            ; sixteen frames from 1 MiB

        mov eax, 0x40000000
        cpuid
        cmp ebx, 'Ring'
        jne not_pv
        cmp ecx, 'side'
        jne not_pv
        cmp edx, 'PV'
        jne not_pv

        mov ecx, 0x40000000         ; "put the hypercall page here"
        mov eax, HCALL_PAGE
        xor edx, edx
        wrmsr

        mov rbx, hello              ; console_write(buffer, length)
        mov rcx, hello_end - hello
        call HCALL_PAGE + 0 * 32

        ; A new page table for VA 0x40000000: the directory entries the guest may write
        ; itself, the sixteen PTEs go to the VMM in one batch.
        mov rdi, NEW_PD
        xor eax, eax
        mov rcx, 0x2000 / 8
        rep stosq
        mov qword [NEW_PD], NEW_PT | 3
        mov rax, [0x3000 + 8]       ; the boot tables: PDPT at 0x3000, entry 1 (1 GiB)
        mov qword [0x3000 + 8], NEW_PD | 3
        mov rdi, requests
        mov rcx, 16
        mov rax, NEW_PT             ; PTE address
        mov rdx, FRAMES | 3         ; present, writable
.fill:  mov [rdi], rax
        mov [rdi + 8], rdx
        add rdi, 16
        add rax, 8
        add rdx, 0x1000
        loop .fill
        mov rbx, requests           ; mmu_update(requests, count)
        mov rcx, 16
        call HCALL_PAGE + 1 * 32
        cmp rax, 16
        jne failed

        ; Use the new mappings: a letter in each page, read back through the frames.
        mov rdi, MAPPED_VA
        mov al, 'a'
        mov rcx, 16
.touch: mov [rdi], al
        add rdi, 0x1000
        inc al
        loop .touch
        mov al, [FRAMES + 15 * 0x1000]
        cmp al, 'p'
        jne failed

        mov rbx, done               ; console_write
        mov rcx, done_end - done
        call HCALL_PAGE + 0 * 32
        xor ebx, ebx                ; exit(0)
        call HCALL_PAGE + 3 * 32

not_pv:
        mov rsi, no_pv
.out:   lodsb
        test al, al
        jz .stop
        out 0xE9, al
        jmp .out
.stop:  mov dx, 0xF4
        mov eax, 2
        out dx, eax

failed:
        mov rbx, bad
        mov rcx, bad_end - bad
        call HCALL_PAGE + 0 * 32
        mov ebx, 1
        call HCALL_PAGE + 3 * 32

hello:  db "pv guest: hello through one console_write hypercall", 10
hello_end:
done:   db "pv guest: 16 PTEs written by one mmu_update hypercall, all 16 pages work", 10
done_end:
bad:    db "pv guest: a hypercall failed", 10
bad_end:
no_pv:  db "pv guest: no Ringside PV interface here (CPUID 0x40000000); run with --virt pv", 10, 0
align 16
requests: times 16 dq 0, 0
