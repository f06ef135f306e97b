; Real mode VGA text buffer: writes a coloured string through ES = 0xB800, reads one cell
; back, and prints the cell it read on the debug console. Every access is an mmio event.
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov ax, 0xB800
        mov es, ax
        mov si, msg
        xor di, di
        mov ah, 0x1E            ; yellow on blue
.w:     lodsb
        cmp al, 0
        je .done
        mov [es:di], ax
        add di, 2
        jmp .w
.done:  mov bx, [es:0]          ; read back the first cell
        mov al, bl
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov byte [es:160 + 1], 0x4F
        mov eax, 0
        out 0xF4, eax
msg:    db "VGA", 0
