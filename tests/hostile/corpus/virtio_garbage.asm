; Hostile: a virtio driver gone wrong. Forever: point both devices' queues at changing addresses
; (low RAM, the VGA window, above RAM), fill the "rings" with whatever is there (looping chains,
; huge lengths, indices far ahead), notify, and reset the device when it stops. The devices
; must refuse each bad queue with a status bit, never crash, loop or write outside RAM.
; ringside: entry=real
; expect: emu=budget kvm=timeout
bits 16
org 0x7C00
start:  xor ax, ax
        mov ds, ax
        mov ebx, 0x12345
.next:  imul ebx, ebx, 1103515245       ; a linear congruential generator
        add ebx, 12345
        mov si, 0x600                   ; console, then block
.dev:   mov eax, ebx
        and eax, 0xFFFFF0               ; anywhere in the first 16 MiB …
        mov dx, si
        add dx, 0x08
        out dx, eax                     ; QUEUE_DESC
        rol eax, 7                      ; … or far above RAM
        add dx, 4
        out dx, eax                     ; QUEUE_AVAIL
        mov eax, 0x8000
        add dx, 4
        out dx, eax                     ; QUEUE_USED: low RAM
        mov [0x8002], bx                ; a used.idx to mess with
        mov word [0x9002], bx
        add dx, 4
        xor eax, eax
        out dx, eax                     ; QUEUE_NOTIFY
        add dx, 4
        in eax, dx                      ; STATUS
        test eax, 0x40
        jz .ok
        xor eax, eax
        out dx, eax                     ; reset
.ok:    add si, 0x40
        cmp si, 0x680
        jb .dev
        jmp .next
