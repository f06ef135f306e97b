; Real mode interrupts through the IVT: a software INT 0x30 handler returns a value, and a
; divide by zero (#DE, vector 0) reaches its IVT handler, which skips the faulting DIV.
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        lidt [ivtr]             ; the IVT at 0 with the reset limit: entry states differ here
        mov word [0x30 * 4], int30
        mov word [0x30 * 4 + 2], 0
        mov word [0 * 4], de_handler
        mov word [0 * 4 + 2], 0
        mov bx, 21
        int 0x30                ; bx = 42
        mov ax, 100
        xor cl, cl
        cmp ax, 100             ; defined flags in the pushed FLAGS image
        div cl                  ; #DE: the handler skips this two-byte DIV
        mov [after_de], ax
        mov al, 'O'
        out 0xE9, al
        mov al, 'K'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov dx, [de_count]
        cmp dx, 1
        hlt

int30:  add bx, bx
        iret

de_handler:
        push bp
        mov bp, sp
        add word [bp + 2], 2    ; return past DIV CL (F6 F1)
        inc word [de_count]
        pop bp
        iret
de_count: dw 0
ivtr:   dw 0x3FF
        dd 0
after_de: dw 0
