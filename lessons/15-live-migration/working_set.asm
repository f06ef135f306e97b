; Lesson 15: a guest with a writable working set. Each pass writes the pass number into the
; first dword of WS_PAGES pages from 1 MiB on (spinning DELAY times between two pages) and
; prints '.' on COM1; after PASSES passes it prints "ok" and exits with code 0.
; The three parameters are dwords at fixed guest-physical addresses, so a run can change them
; without reassembling:  0x10008 WS_PAGES, 0x1000C DELAY, 0x10010 PASSES. Try
;   ringside migrate lessons/15-live-migration/working_set.asm --mem 2 --guest-mips 10
;   ringside migrate … --set 0x10008=200 --set 0x1000C=5 --set 0x10010=100000     (a large, fast working set)
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        jmp start
        align 8
ws_pages: dd 32                 ; 0x10008
delay:    dd 100                ; 0x1000C
passes:   dd 40                 ; 0x10010
start:
        xor edx, edx
.pass:  inc edx
        mov edi, 0x100000
        mov ecx, [ws_pages]
.page:  mov [edi], edx
        add edi, 4096
        mov esi, [delay]
.spin:  dec esi
        jnz .spin
        dec ecx
        jnz .page
        mov ebx, edx
        mov dx, 0x3F8
        mov al, '.'
        out dx, al
        mov edx, ebx
        cmp edx, [passes]
        jb .pass
        mov dx, 0x3F8
        mov al, 'o'
        out dx, al
        mov al, 'k'
        out dx, al
        mov al, 10
        out dx, al
        xor eax, eax
        mov dx, 0xF4
        out dx, eax
        hlt
