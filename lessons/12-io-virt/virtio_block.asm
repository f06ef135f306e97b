; The virtio-style block device (docs/platform.md): a 64 KiB RAM-backed disk whose sector n
; starts with "ringside disk sector n". Three requests in one batch, one notification:
;   read sector 1 → 0xA000;  write sector 2 from `message`;  read sector 2 back → 0xA400.
; Each request is a chain of three descriptors: header {type, reserved, sector} (the device
; reads it), data (512 bytes), status byte (the device writes 0 = OK).
; Run it:  ringside run lessons/12-io-virt/virtio_block.asm
; ringside: entry=real
bits 16
org 0x7C00

VIRTIO_BLOCK    equ 0x640
REG_QUEUE_DESC  equ 0x08
REG_QUEUE_AVAIL equ 0x0C
REG_QUEUE_USED  equ 0x10
REG_NOTIFY      equ 0x14
REG_CAPACITY    equ 0x20
AVAIL           equ 0x9000
USED            equ 0x9200
READ1           equ 0xA000              ; sector 1 lands here
READ2           equ 0xA400              ; sector 2, read back
NEXT            equ 1                   ; descriptor flags
WRITE           equ 2                   ; (device-writable)

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov dword [AVAIL], 0            ; both rings start empty: flags = idx = 0
        mov dword [USED], 0

        mov dx, VIRTIO_BLOCK + REG_CAPACITY
        in eax, dx                      ; 128 sectors
        cmp eax, 128
        jne failed

        mov dx, VIRTIO_BLOCK + REG_QUEUE_DESC
        mov eax, descriptors
        out dx, eax
        mov dx, VIRTIO_BLOCK + REG_QUEUE_AVAIL
        mov eax, AVAIL
        out dx, eax
        mov dx, VIRTIO_BLOCK + REG_QUEUE_USED
        mov eax, USED
        out dx, eax

        mov word [AVAIL + 4], 0         ; three chains, by their head descriptors
        mov word [AVAIL + 6], 3
        mov word [AVAIL + 8], 6
        mov word [AVAIL + 2], 3         ; publish all three at once
        mov dx, VIRTIO_BLOCK + REG_NOTIFY
        xor eax, eax
        out dx, eax                     ; one exit for three requests

        cmp word [USED + 2], 3          ; all three completed
        jne failed
        cmp byte [status0], 0
        jne failed
        cmp byte [status1], 0
        jne failed
        cmp byte [status2], 0
        jne failed
        mov si, label1                  ; sector 1 is what the disk holds
        mov di, READ1
        mov cx, label1_end - label1
        repe cmpsb
        jne failed
        mov si, message                 ; sector 2 is what we wrote
        mov di, READ2
        mov cx, 512
        repe cmpsb
        jne failed

        mov si, READ1                   ; print sector 1's first line, then ours
        mov cx, label1_end - label1
        mov dx, 0xE9
        rep outsb
        mov si, READ2
        mov cx, message_end - message
        rep outsb
        mov eax, 0
        out 0xF4, eax                   ; exit code 0
        hlt

failed: mov eax, 1
        out 0xF4, eax
        hlt

label1: db "ringside disk sector 1", 10
label1_end:

align 16
descriptors:                            ; {addr (8), len (4), flags (2), next (2)}
        dq header0                      ; 0: read sector 1
        dd 16
        dw NEXT, 1
        dq READ1
        dd 512
        dw NEXT | WRITE, 2
        dq status0
        dd 1
        dw WRITE, 0
        dq header1                      ; 3: write sector 2
        dd 16
        dw NEXT, 4
        dq message
        dd 512
        dw NEXT, 5
        dq status1
        dd 1
        dw WRITE, 0
        dq header2                      ; 6: read sector 2 back
        dd 16
        dw NEXT, 7
        dq READ2
        dd 512
        dw NEXT | WRITE, 8
        dq status2
        dd 1
        dw WRITE, 0

header0: dd 0, 0                        ; type 0 = read (VIRTIO_BLK_T_IN), reserved
         dq 1                           ; sector
header1: dd 1, 0                        ; type 1 = write (VIRTIO_BLK_T_OUT)
         dq 2
header2: dd 0, 0
         dq 2
status0: db 0xFF                        ; the device overwrites these with 0 (OK)
status1: db 0xFF
status2: db 0xFF

message: db "sector 2, written by the guest through the virtqueue", 10
message_end:
        times 512 - ($ - message) db 0
