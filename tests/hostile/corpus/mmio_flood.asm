; Hostile: an MMIO flood. Writes the VGA text buffer (0xB8000) forever, cycling through the
; screen, so every write lands on the display device.
; ringside: entry=protected load=0x10000
; expect: emu=budget kvm=timeout
bits 32
org 0x10000
        xor ecx, ecx
flood:  mov ax, cx
        and ax, 0x0FFF
        or ax, 0x0700 | 'x'
        mov edi, ecx
        and edi, 80 * 25 - 1
        mov [0xB8000 + edi * 2], ax
        inc ecx
        jmp flood
