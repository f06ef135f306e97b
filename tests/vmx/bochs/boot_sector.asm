; Floppy boot sector for running a Ringside real-mode guest under Bochs: moves itself out of
; the way (to 0x0500), reads the image from sector 2 onwards to 0x7C00 one sector at a time,
; and jumps to 0000:7C00 with interrupts off and the general registers zeroed, the state
; Ringside's real-mode entry gives a guest (docs/platform.md).
bits 16
org 0x0500

SECTORS     equ 64                  ; 32 KiB: 0x7C00..0xFBFF
PER_TRACK   equ 18                  ; 1.44 MB floppy geometry
HEADS       equ 2

        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x0500
        mov si, 0x7C00
        mov di, 0x0500
        mov cx, 512 / 2
        rep movsw
        jmp 0:relocated

relocated:
        mov [boot_drive], dl
        mov word [lba], 1           ; sector 2 in 1-based CHS numbering
        mov word [dest], 0x7C00
.sector:
        ; LBA -> CHS: sector = lba % 18 + 1, head = (lba / 18) % 2, cylinder = lba / 36
        mov ax, [lba]
        xor dx, dx
        mov bx, PER_TRACK
        div bx
        mov cl, dl
        inc cl
        xor dx, dx
        mov bx, HEADS
        div bx
        mov dh, dl
        mov ch, al
        mov dl, [boot_drive]
        mov bx, [dest]
        mov ax, 0x0201
        int 0x13
        jc .sector                  ; retry: floppy reads may fail once while the motor spins up
        add word [dest], 512
        inc word [lba]
        cmp word [lba], SECTORS + 1
        jne .sector

        xor eax, eax
        xor ebx, ebx
        xor ecx, ecx
        xor edx, edx
        xor esi, esi
        xor edi, edi
        xor ebp, ebp
        jmp 0:0x7C00

boot_drive: db 0
lba:        dw 0
dest:       dw 0
times 510 - ($ - $$) db 0
dw 0xAA55
