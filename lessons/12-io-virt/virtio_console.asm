; The same 16 bytes as uart16.asm, through the virtio-style console (docs/platform.md): the
; driver tells the device once where its split virtqueue lives (three register writes), puts
; the whole message in one buffer, publishes it in the available ring and notifies the device
; with ONE OUT. The device reads the buffer from guest RAM and completes it in the used ring.
; Run it:  ringside run --trace /tmp/virtio.jsonl lessons/12-io-virt/virtio_console.asm
; ringside: entry=real
bits 16
org 0x7C00

VIRTIO_CONSOLE  equ 0x600               ; the device's register window (0x40 ports)
REG_QUEUE_DESC  equ 0x08
REG_QUEUE_AVAIL equ 0x0C
REG_QUEUE_USED  equ 0x10
REG_NOTIFY      equ 0x14
AVAIL           equ 0x9000              ; available ring: flags, idx, ring[64]
USED            equ 0x9200              ; used ring: flags, idx, ring[64] of {id, len}

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov dword [AVAIL], 0            ; both rings start empty: flags = idx = 0
        mov dword [USED], 0

        ; Set-up, once per device: where the three parts of the queue are.
        mov dx, VIRTIO_CONSOLE + REG_QUEUE_DESC
        mov eax, descriptors
        out dx, eax
        mov dx, VIRTIO_CONSOLE + REG_QUEUE_AVAIL
        mov eax, AVAIL
        out dx, eax
        mov dx, VIRTIO_CONSOLE + REG_QUEUE_USED
        mov eax, USED
        out dx, eax

        ; Publish descriptor 0 (the 16-byte buffer): ring[0] = 0, then idx = 1. Plain memory
        ; writes: no exit.
        mov word [AVAIL + 4], 0
        mov word [AVAIL + 2], 1

        ; One notification for the whole batch.
        mov dx, VIRTIO_CONSOLE + REG_NOTIFY
        xor eax, eax
        out dx, eax

        cmp word [USED + 2], 1          ; the device put our buffer in the used ring
        jne failed
        cmp word [USED + 4], 0          ; … by its head descriptor
        jne failed
        hlt

failed: mov eax, 1
        out 0xF4, eax                   ; exit code 1
        hlt

align 16
descriptors:                            ; descriptor 0: {addr, len, flags, next}
        dq payload
        dd 16
        dw 0                            ; device-readable, end of chain
        dw 0
payload: db "0123456789abcdef"          ; 16 bytes
