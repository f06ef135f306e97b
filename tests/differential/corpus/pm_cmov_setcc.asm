; Protected mode CMOVcc and SETcc over signed and unsigned comparisons: min/max without
; branches, and a byte per condition code collected into registers.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov eax, -5
        mov ebx, 3
        mov ecx, eax
        cmp eax, ebx
        cmovg ecx, ebx          ; signed max: 3
        mov edx, eax
        cmp eax, ebx
        cmova edx, ebx          ; unsigned min: 0xFFFFFFFB is above 3, edx = 3
        mov esi, eax
        cmp eax, ebx
        cmovl esi, ebx          ; -5 < 3 signed → esi = 3
        cmp eax, ebx
        setl [cc + 0]
        setb [cc + 1]
        setg [cc + 2]
        seta [cc + 3]
        sete [cc + 4]
        setne [cc + 5]
        sets [cc + 6]
        seto [cc + 7]
        mov edi, [cc]
        mov ebp, [cc + 4]
        mov al, 'c'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        cmp eax, ebx
        hlt
cc:     times 8 db 0xFF
