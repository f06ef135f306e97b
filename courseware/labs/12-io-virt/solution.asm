; Lab 12 · I/O virtualization — reference solution.
; A polling UART driver: before each byte of "Hello, UART!\n" it reads the line status
; register (0x3FD) and waits for bit 5 (transmit holding register empty), then writes the
; byte to 0x3F8. Then it writes the same text to the VGA text buffer.
; Run it:  ringside run --trace /tmp/l12.jsonl courseware/labs/12-io-virt/solution.asm
; ringside: entry=real
bits 16
org 0x7C00

COM1 equ 0x3F8
LSR  equ COM1 + 5

start:
        cli
        xor ax, ax
        mov ds, ax
        mov si, text
.next:  lodsb
        test al, al
        jz .vga
        mov bl, al
;; >>> TODO 1: wait until LSR bit 5 (THR empty) is set, then send BL to COM1's data register
        mov dx, LSR
.wait:  in al, dx
        test al, 0x20
        jz .wait
        mov dx, COM1
        mov al, bl
        out dx, al
;; <<<
        jmp .next
.vga:
        mov ax, 0xB800
        mov es, ax
        xor di, di
        mov si, text
        mov ah, 0x4F                    ; white on red
;; >>> TODO 2: copy the characters (not the newline) to the VGA buffer, one STOSW each
.cell:  lodsb
        cmp al, 10
        je .done
        stosw
        jmp .cell
.done:
;; <<<
        hlt

text:   db "Hello, UART!", 10, 0
