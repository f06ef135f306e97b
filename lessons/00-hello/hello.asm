; Hello, guest: the smallest Ringside guest. It starts in real mode at 0x7C00 (like a boot
; sector), prints through the debug console (port 0xE9), draws on the VGA text screen and
; stops with HLT. Run it:   build/app/ringside run lessons/00-hello/hello.asm
; ringside: entry=real
bits 16
org 0x7C00

start:
        cli
        xor ax, ax
        mov ds, ax
        mov si, message
.print:
        lodsb                   ; AL = next character
        test al, al
        jz .screen
        out 0xE9, al            ; each OUT is a VM exit (IO_INSTRUCTION) the monitor handles
        jmp .print
.screen:
        mov ax, 0xB800          ; the VGA text buffer is a memory-mapped device
        mov es, ax
        mov word [es:0], 0x1F48 ; 'H', white on blue
        mov word [es:2], 0x1F69 ; 'i'
        hlt                     ; interrupts are off: the guest stops here

message: db "Hello from a guest in ring 0!", 10, 0
