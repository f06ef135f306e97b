; Real mode string I/O: one REP OUTSB writes a whole message to the debug console (KVM: one
; exit with a count; emu: one event per byte), another to COM1, then a COM1 scratch-register
; round trip. Halts.
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        cld
        mov si, msg
        mov cx, msglen
        mov dx, 0xE9
        rep outsb
        mov si, msg2
        mov cx, msg2len
        mov dx, 0x3F8           ; COM1 THR
        rep outsb
        mov dx, 0x3FF           ; COM1 scratch register: write, then read back
        mov al, 0x5C
        out dx, al
        xor al, al
        in al, dx
        mov bl, al
        cmp bl, 0x5C
        hlt
msg:    db "rep outsb to 0xE9", 10
msglen  equ $ - msg
msg2:   db "and to COM1", 10
msg2len equ $ - msg2
