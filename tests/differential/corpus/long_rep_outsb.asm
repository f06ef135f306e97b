; Long mode string I/O at CPL 0: REP OUTSB of a message to 0xE9, OUTSD of one dword to an
; unassigned port (ignored), and INSB from an unassigned port (reads 0xFF).
; ringside: entry=long load=0x10000
bits 64
org 0x10000
        cld
        lea rsi, [rel msg]
        mov ecx, msglen
        mov dx, 0xE9
        rep outsb
        lea rsi, [rel word1]
        mov dx, 0x80
        outsd
        lea rdi, [rel inbuf]
        mov dx, 0x81
        mov ecx, 4
        rep insb
        mov ebx, [rel inbuf]    ; 0xFFFFFFFF
        cmp ebx, -1
        mov eax, 0
        out 0xF4, eax
msg:    db "long mode rep outsb", 10
msglen  equ $ - msg
align 4
word1:  dd 0x12345678
inbuf:  dd 0
