; Protected mode far transfers: loads its own GDT with a second flat code descriptor (0x18),
; far-calls through it, reads the caller's CS from the far frame, far-returns, far-jumps to
; the second selector and back. (A code segment with a non-zero base is left out: the emu
; backend cannot run one yet — reported.)
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        lgdt [gdtr]
        jmp 0x08:.flat
.flat:  mov ax, 0x10
        mov ds, ax
        call 0x18:farproc
        mov [ret_cs], ecx
        jmp 0x18:second
back:   mov eax, edx
        out 0xE9, al            ; 'f' from the far procedure
        mov eax, esi
        out 0xE9, al            ; 'j' from the second selector
        mov al, 10
        out 0xE9, al
        mov ebx, [ret_cs]       ; 0x08: the caller's CS read in the far procedure
        mov edi, cs             ; 0x08 again
        cmp ebx, 8
        hlt

farproc:
        mov ecx, [esp + 4]      ; caller's CS
        mov edx, 'f'
        retf

second: mov esi, 'j'
        mov ebp, cs             ; 0x18
        jmp 0x08:back

align 4
ret_cs: dd 0
align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF   ; 0x08 flat code
        dq 0x00CF92000000FFFF   ; 0x10 flat data
        dq 0x00CF9A000000FFFF   ; 0x18 a second flat code descriptor
gdtr:   dw $ - gdt - 1
        dd gdt
