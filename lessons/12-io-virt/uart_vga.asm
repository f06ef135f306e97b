; I/O virtualization by trap-and-emulate: 16 bytes through the emulated 16550 UART at port
; 0x3F8, one OUT (one VM exit) per byte, then the same 16 bytes into the VGA text window at
; 0xB8000, a memory-mapped device: every access to it goes to the device model.
; Run it:  ringside run --trace /tmp/t.jsonl lessons/12-io-virt/uart_vga.asm
; ringside: entry=real
bits 16
org 0x7C00

start:
        cli
        xor ax, ax
        mov ds, ax
        mov dx, 0x3FD                   ; line status register: is the transmitter ready?
        in al, dx                       ; (always 0x60 here: THR empty, idle)
        mov dx, 0x3F8                   ; transmit holding register
        mov si, payload
        mov cx, 16
.uart:  lodsb
        out dx, al                      ; one byte, one VM exit
        loop .uart
        mov ax, 0xB800                  ; the VGA text buffer: (character, attribute) cells
        mov es, ax
        xor di, di
        mov si, payload
        mov cx, 16
        mov ah, 0x1F                    ; white on blue
.vga:   lodsb
        stosw                           ; one 2-byte MMIO write per character
        loop .vga
        hlt

payload: db "0123456789abcdef"          ; 16 bytes
