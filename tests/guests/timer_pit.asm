; The platform timer: the 8259A remapped to vector 0x20, the 8254's channel 0 in rate-generator
; mode with a count of 1000 (one interrupt per 1000 clock ticks: instructions, plus time spent
; halted), three interrupts taken in HLT, then one that arrives while interrupts are off and
; is taken when STI opens the window.
; ringside: entry=real
bits 16
org 0x7C00

        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        mov word [0x20 * 4], timer
        mov word [0x20 * 4 + 2], 0
        mov al, 0x11                ; ICW1: edge, cascade, ICW4 follows
        out 0x20, al
        mov al, 0x20                ; ICW2: IRQ 0 is vector 0x20
        out 0x21, al
        mov al, 0x04                ; ICW3: the slave on IRQ 2
        out 0x21, al
        mov al, 0x01                ; ICW4: 8086 mode
        out 0x21, al
        mov al, 0xFE                ; OCW1: only IRQ 0
        out 0x21, al
        mov al, 0x34                ; channel 0, lobyte/hibyte, mode 2
        out 0x43, al
        mov ax, 1000
        out 0x40, al
        mov al, ah
        out 0x40, al
        sti
.wait:  hlt                         ; sleeps until the next interrupt
        cmp word [ticks], 3
        jb .wait
        cli                         ; the fourth interrupt comes while IF = 0 ...
.spin:  mov ax, [ticks]
        inc cx
        cmp cx, 800
        jb .spin
        sti                         ; ... and is taken here, after the next instruction
        nop
        nop
        cli
        mov al, '0'
        add al, [ticks]
        out 0xE9, al
        mov dx, 0xF4
        xor eax, eax
        out dx, eax

timer:
        inc word [ticks]
        push ax
        mov al, 0x20                ; OCW2: non-specific end of interrupt
        out 0x20, al
        pop ax
        iret

ticks:  dw 0
