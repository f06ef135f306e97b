; 32-bit paging with a virtual address inside RAM mapped to another frame:
; VA 0x400000 -> PA 0x200000. Reads and writes through the alias must reach frame 0x200000.
; Then touches VA 0x401000, which is not present: the #PF handler checks CR2 and the error
; code, maps it to PA 0x201000 and returns to retry. Exit code 0 when everything matched.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0x100000       ; page directory 0x100000, page tables 0x101000 and 0x102000
        mov ecx, 3 * 1024
        xor eax, eax
        rep stosd
        mov dword [0x100000], 0x101000 | 3
        mov dword [0x100004], 0x102000 | 3
        mov edi, 0x101000       ; identity-map 0..4 MiB
        mov eax, 0x3
        mov ecx, 1024
.fill:  stosd
        add eax, 0x1000
        loop .fill
        mov dword [0x102000], 0x200000 | 3      ; VA 0x400000 -> PA 0x200000
        mov dword [0x200000], 0xCAFEF00D
        mov dword [0x400000], 0x11111111        ; frame 0x400000, which the alias must not read
        mov dword [0x201000], 0x5A5A5A5A
        mov eax, pf_handler
        mov [idt + 14 * 8], ax
        mov word [idt + 14 * 8 + 2], 0x08
        mov word [idt + 14 * 8 + 4], 0x8E00
        shr eax, 16
        mov [idt + 14 * 8 + 6], ax
        lidt [idtr]
        mov eax, 0x100000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov eax, [0x400000]     ; through the alias
        cmp eax, 0xCAFEF00D
        jne fail
        mov dword [0x400004], 0x0BADBEEF
        cmp dword [0x200004], 0x0BADBEEF
        jne fail
        mov esi, msg_alias
        call print
        mov eax, [0x401000]     ; not present: #PF, the handler maps it, the read retries
        cmp eax, 0x5A5A5A5A
        jne fail
        cmp dword [fault_addr], 0x401000
        jne fail
        cmp dword [fault_err], 0
        jne fail
        mov esi, msg_pf
        call print
        xor eax, eax
        out 0xF4, eax
fail:   mov eax, 1
        out 0xF4, eax

pf_handler:
        push eax
        mov eax, cr2
        mov [fault_addr], eax
        mov eax, [esp + 4]
        mov [fault_err], eax
        mov dword [0x102004], 0x201000 | 3      ; VA 0x401000 -> PA 0x201000
        invlpg [0x401000]
        pop eax
        add esp, 4
        iret

print:
        lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp print
.done:  ret

msg_alias: db "alias ok", 10, 0
msg_pf:    db "page fault handled", 10, 0
align 4
fault_addr: dd 0
fault_err:  dd 0xFFFFFFFF
idtr:   dw 256 * 8 - 1
        dd idt
align 8
idt:    times 256 dq 0
