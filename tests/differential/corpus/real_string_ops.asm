; Real mode string instructions: REP MOVSB, REP STOSD (32-bit operands in 16-bit code),
; REPE CMPSB finding the first difference and REPNE SCASB finding a byte.
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov es, ax
        cld
        mov si, src
        mov di, 0x8000
        mov cx, srclen
        rep movsb
        mov di, 0x8100
        mov eax, 0xA5A5F00D
        mov cx, 16
        rep stosd
        mov si, src
        mov di, other
        mov cx, srclen
        repe cmpsb              ; stops after the first mismatch
        mov [cmp_left], cx
        mov di, src
        mov al, 'z'
        mov cx, srclen
        repne scasb
        mov [scan_left], cx
        mov si, 0x8000
        mov cx, srclen
.p:     lodsb
        out 0xE9, al
        loop .p
        mov al, 10
        out 0xE9, al
        cmp cx, 0
        hlt
src:    db "string copy xyz"
srclen  equ $ - src
other:  db "string cOpy xyz"
cmp_left:  dw 0
scan_left: dw 0
