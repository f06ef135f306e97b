; Protected mode flags: ADD/SUB/ADC/SBB/CMP/NEG set all six status flags; each result is
; captured with PUSHF/POP into a table, plus STC/CMC/STD/CLD and POPF of a chosen value.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, table
        mov eax, 0x7FFFFFFF
        add eax, 1              ; OF SF AF PF
        call snap
        mov eax, 0
        sub eax, 1              ; CF SF AF PF
        call snap
        mov al, 0x0F
        add al, 0x01            ; AF only
        call snap
        stc
        mov ebx, 5
        adc ebx, 5              ; 11: PF
        call snap
        stc
        sbb ebx, 11             ; 0xFFFFFFFF: CF SF AF PF
        call snap
        mov ecx, 0x80000000
        neg ecx                 ; CF OF SF PF
        call snap
        cmp ecx, ecx            ; ZF PF
        call snap
        stc
        cmc
        std
        cmp eax, 0x1000         ; CF SF …
        call snap
        cld
        push dword 0x8D5        ; CF PF AF ZF SF OF all set
        popf
        call snap
        mov eax, [table]
        mov ebx, [table + 4]
        mov ecx, [table + 8]
        mov edx, [table + 12]
        mov esi, [table + 16]
        mov ebp, [table + 20]
        mov al, 'f'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        add eax, 0              ; every status flag defined before the stop
        hlt

snap:   pushf
        pop dword [edi]
        add edi, 4
        ret
align 4
table:  times 12 dd 0
