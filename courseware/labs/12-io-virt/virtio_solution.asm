; Lab 12 · part 2 — reference solution: "Hello, virtio!\n" through the virtio console with one
; notification. The blocks between ";; >>> TODO n" and ";; <<<" complete the TODOs of
; virtio_starter.asm.
; Run it:  ringside run courseware/labs/12-io-virt/virtio_solution.asm
; ringside: entry=real
bits 16
org 0x7C00

CON             equ 0x600               ; the virtio console's register window
REG_QUEUE_DESC  equ 0x08
REG_QUEUE_AVAIL equ 0x0C
REG_QUEUE_USED  equ 0x10
REG_NOTIFY      equ 0x14
AVAIL           equ 0x9000
USED            equ 0x9200

start:
        cli
        xor ax, ax
        mov ds, ax
        mov dword [AVAIL], 0            ; empty rings: flags = idx = 0
        mov dword [USED], 0
;; >>> TODO 1
        mov dx, CON + REG_QUEUE_DESC
        mov eax, descriptors
        out dx, eax
        mov dx, CON + REG_QUEUE_AVAIL
        mov eax, AVAIL
        out dx, eax
        mov dx, CON + REG_QUEUE_USED
        mov eax, USED
        out dx, eax
;; <<<
;; >>> TODO 2
        mov word [AVAIL + 4], 0         ; ring[0] = head descriptor 0
        mov word [AVAIL + 2], 1         ; then idx = 1
        mov dx, CON + REG_NOTIFY
        xor eax, eax
        out dx, eax
;; <<<
        cmp word [USED + 2], 1          ; the device completed the buffer
        jne failed
        hlt
failed: mov eax, 1
        out 0xF4, eax
        hlt

align 16
descriptors:                            ; descriptor 0: {addr, len, flags, next}
        dq text
        dd text_end - text
        dw 0, 0
text:   db "Hello, virtio!", 10
text_end:
