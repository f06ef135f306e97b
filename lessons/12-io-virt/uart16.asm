; 16 bytes through the emulated 16550 UART: one OUT to the transmit register per byte, so
; 16 IO_INSTRUCTION exits. virtio_console.asm sends the same 16 bytes with one notification.
; Run it:  ringside run --trace /tmp/uart.jsonl lessons/12-io-virt/uart16.asm
; ringside: entry=real
bits 16
org 0x7C00

start:
        cli
        xor ax, ax
        mov ds, ax
        mov dx, 0x3F8                   ; COM1 transmit holding register
        mov si, payload
        mov cx, 16
.next:  lodsb
        out dx, al                      ; one byte, one VM exit
        loop .next
        hlt

payload: db "0123456789abcdef"          ; 16 bytes
