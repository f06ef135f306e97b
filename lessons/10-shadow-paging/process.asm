; Shadow page tables: a small "kernel" creates a process address space, runs in it, edits one
; of its page-table entries, flushes it with INVLPG and switches back. Under the
; shadow-paging profile (no EPT) the VMM must see every one of these: CR3 loads and INVLPG
; are VM exits, and every guest mapping the shadow needs is a walk of the guest's tables.
; Run it:  ringside run --vmx-profile shadow-paging --trace /tmp/t.jsonl lessons/10-shadow-paging/process.asm
; ringside: entry=protected load=0x10000
bits 32
org 0x10000

KERNEL_PD equ 0x100000              ; the kernel's page directory
LOW_PT    equ 0x101000              ; 0-4 MiB identity-mapped, shared by both spaces
PROC_PD   equ 0x102000              ; the process's page directory
PROC_PT   equ 0x103000              ; the process's own page table (4-8 MiB)
PROC_VA   equ 0x400000              ; where the process sees its page
FRAME_A   equ 0x200000              ; the frame behind it at first
FRAME_B   equ 0x201000              ; and after the PTE edit

start:
        mov esp, 0x90000
        mov edi, KERNEL_PD              ; clear the four tables
        mov ecx, 4 * 1024
        xor eax, eax
        rep stosd
        mov edi, LOW_PT
        mov eax, 3                      ; present, writable
        mov ecx, 1024
.map:   stosd
        add eax, 0x1000
        loop .map
        mov dword [KERNEL_PD], LOW_PT | 3
        mov dword [PROC_PD], LOW_PT | 3         ; the kernel half is shared
        mov dword [PROC_PD + 4], PROC_PT | 7    ; user-accessible process half
        mov dword [PROC_PT], FRAME_A | 7
        mov dword [FRAME_A], 'A'
        mov dword [FRAME_B], 'B'

        mov eax, KERNEL_PD
        mov cr3, eax                    ; exit: CR3 load (CR_ACCESS, qualification 0x3)
        mov eax, cr0
        or eax, 0x80000000              ; paging on
        mov cr0, eax

        mov eax, PROC_PD                ; "create the process": its own address space
        mov cr3, eax                    ; exit: the VMM switches to another shadow table
        mov eax, [PROC_VA]              ; a shadow miss: the VMM walks the guest's tables
        out 0xE9, al                    ; 'A'

        mov dword [PROC_PT], FRAME_B | 7   ; edit the PTE: the page now maps frame B
        invlpg [PROC_VA]                ; exit: the VMM drops its shadow entry too
        mov eax, [PROC_VA]              ; another miss, another walk: now 'B'
        out 0xE9, al
        mov al, 10
        out 0xE9, al

        mov eax, cr3                    ; exit: CR3 store; the guest reads its own CR3
        cmp eax, PROC_PD
        jne fail
        mov eax, KERNEL_PD
        mov cr3, eax                    ; back to the kernel's space: another switch
        xor eax, eax
        out 0xF4, eax
fail:
        mov eax, 1
        out 0xF4, eax
