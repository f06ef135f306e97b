; Lab 05 · Paravirtualization — starter code: fill in every TODO (see lab.en.md).
; A PV guest that maps eight pages at VA 0x80000000 (PDPT entry 2) with ONE mmu_update
; hypercall, writes a digit into each page, prints a line with console_write and exits.
; Run it:  ringside run --virt pv courseware/labs/05-paravirt/starter.asm
; ringside: entry=long load=0x10000
bits 64
org 0x10000

HCALL_PAGE equ 0x20000
NEW_PD     equ 0x30000
NEW_PT     equ 0x31000
MAPPED_VA  equ 0x80000000
FRAMES     equ 0x200000
PAGES      equ 8

        mov eax, 0x40000000
        cpuid
        ; TODO 1: stop with exit code 2 unless EBX, ECX, EDX spell "RingsidePV"
        ; TODO 2: ask the VMM to put the hypercall page at HCALL_PAGE (WRMSR 0x40000000)
        mov rdi, NEW_PD                 ; empty directory and table, linked in PDPT entry 2
        xor eax, eax
        mov rcx, 0x2000 / 8
        rep stosq
        mov qword [NEW_PD], NEW_PT | 3
        mov qword [0x3000 + 2 * 8], NEW_PD | 3
        ; TODO 3: fill `requests` with PAGES {pte address, value} pairs and call mmu_update once
        cmp rax, PAGES
        jne failed
        mov rdi, MAPPED_VA              ; a digit in each new page
        mov al, '1'
        mov rcx, PAGES
.touch: mov [rdi], al
        add rdi, 0x1000
        inc al
        loop .touch
        mov al, [FRAMES + 7 * 0x1000]   ; read back through the frame
        cmp al, '8'
        jne failed
        ; TODO 4: print `ok` with console_write (hypercall 0) and exit(0) (hypercall 3)

not_pv: mov dx, 0xF4
        mov eax, 2
        out dx, eax
failed: mov dx, 0xF4
        mov eax, 1
        out dx, eax

ok:     db "lab 05: 8 pages mapped by one mmu_update", 10
ok_end:
align 16
requests: times PAGES dq 0, 0
