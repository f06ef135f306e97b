; Lab 12 · part 2 — starter code: fill in every TODO (see lab.en.md, tasks 7-9).
; Sends "Hello, virtio!\n" through the virtio console (docs/platform.md): descriptor 0 below
; already points at the text; the rings are at AVAIL and USED.
; Run it:  ringside run --trace /tmp/v.jsonl virtio-me.asm
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
        ; TODO 1: tell the device where the descriptor table, the available ring and the used
        ; ring are (three 32-bit OUTs to QUEUE_DESC, QUEUE_AVAIL, QUEUE_USED)
        ; TODO 2: publish descriptor 0 in the available ring (ring[0], then idx), then notify
        ; the device once (write 0 to QUEUE_NOTIFY)
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
