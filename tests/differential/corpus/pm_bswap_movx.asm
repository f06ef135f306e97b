; Protected mode data movement: BSWAP, MOVZX/MOVSX from bytes and words, LEA address
; arithmetic, CBW/CWDE/CDQ, XLAT through a table.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov eax, 0x11223344
        bswap eax               ; 0x44332211
        mov ebx, 0xFFFF8081
        movzx ecx, bl           ; 0x81
        movsx edx, bl           ; 0xFFFFFF81
        movsx esi, bx           ; 0xFFFF8081
        movzx edi, bx           ; 0x8081
        lea ebp, [ecx + edx * 4 + 0x100]
        mov [keep], eax
        mov ax, 0xFF80
        cbw                     ; ax = 0xFF80 → al 0x80 sign-extends: 0xFF80
        cwde                    ; 0xFFFFFF80
        cdq                     ; edx = 0xFFFFFFFF
        mov ebx, hexdigits
        mov al, 0x0C
        xlatb                   ; 'C'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov eax, [keep]
        cmp eax, 0x44332211
        hlt
hexdigits: db "0123456789ABCDEF"
align 4
keep:   dd 0
