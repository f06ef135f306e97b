; Lab 00 · Hello, guest — starter code: fill in every TODO (see lab.en.md).
; Prints a name on the debug console (port 0xE9), one OUT per character, writes the same
; text on the second row of the VGA text screen and halts.
; Run it:  ringside run courseware/labs/00-hello/starter.asm
; ringside: entry=real
bits 16
org 0x7C00

start:
        cli
        xor ax, ax
        mov ds, ax
        ; TODO 1: print the zero-terminated string at `name` to port 0xE9, one OUT per character
        mov ax, 0xB800
        mov es, ax
        ; TODO 2: copy the same characters to VGA row 1 (offset 160), attribute 0x2F (white on green)
        hlt

name:   db "Ada Lovelace", 10, 0       ; TODO 0: put your own name here
