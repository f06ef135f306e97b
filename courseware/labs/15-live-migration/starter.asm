; Lab 15 · Live migration — starter code: fill in the TODO (see lab.en.md).
; A writable working set: ECX pages (from 1 MiB on) are rewritten EBX times; each pass writes
; the pass number (1, 2, …) into the first dword of every page and then prints '.' on COM1.
; At the end the guest prints "ok" and a newline and exits with code 0.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov ebp, ecx                    ; pages in the working set
        xor edx, edx                    ; pass number
.pass:  inc edx
        ; TODO: write EDX into the first dword of each of the EBP pages from 0x100000 on
        push edx
        mov dx, 0x3F8
        mov al, '.'
        out dx, al
        pop edx
        cmp edx, ebx
        jb .pass
        mov dx, 0x3F8
        mov al, 'o'
        out dx, al
        mov al, 'k'
        out dx, al
        mov al, 10
        out dx, al
        xor eax, eax
        out 0xF4, eax
        hlt
