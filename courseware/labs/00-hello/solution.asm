; Lab 00 · Hello, guest — reference solution.
; Prints a name on the debug console (port 0xE9), one OUT per character, writes the same
; text on the second row of the VGA text screen and halts.
; Run it:  ringside run courseware/labs/00-hello/solution.asm
; ringside: entry=real
bits 16
org 0x7C00

start:
        cli
        xor ax, ax
        mov ds, ax
;; >>> TODO 1: print the zero-terminated string at `name` to port 0xE9, one OUT per character
        mov si, name
.print:
        lodsb
        test al, al
        jz .printed
        out 0xE9, al
        jmp .print
.printed:
;; <<<
        mov ax, 0xB800
        mov es, ax
;; >>> TODO 2: copy the same characters to VGA row 1 (offset 160), attribute 0x2F (white on green)
        mov si, name
        mov di, 160
        mov ah, 0x2F
.vga:
        lodsb
        cmp al, 10
        je .done
        stosw
        jmp .vga
.done:
;; <<<
        hlt

name:   db "Ada Lovelace", 10, 0       ; TODO 0: put your own name here
