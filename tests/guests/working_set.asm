; A writable working set for live migration (lesson 15): pass after pass, the guest writes the
; pass number into the first dword of each of WS_PAGES pages from 1 MiB on, spinning DELAY
; times between two pages. Both are dwords at fixed guest-physical addresses (0x10008 and
; 0x1000C), so `ringside migrate --set 0x10008=N` changes the working set without
; reassembling. Small working set or long delay: pre-copy converges; large and fast: it does not.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        jmp start
        align 8
ws_pages: dd 16                  ; 0x10008: pages in the working set
delay:    dd 2000                ; 0x1000C: spin iterations between two page writes
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
        jmp .pass
