; Protected mode VGA through flat addressing: REP STOSW fills the second row with a pattern
; (one mmio event per word), a string goes on the first row, and a cell is read back.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        cld
        mov edi, 0xB8000 + 160
        mov ax, 0x2F2D          ; '-' white on green
        mov ecx, 20
        rep stosw
        mov edi, 0xB8000
        mov esi, msg
        mov ah, 0x07
.w:     lodsb
        cmp al, 0
        je .done
        stosw
        jmp .w
.done:  movzx ebx, word [0xB8000 + 160 + 2]  ; 0x2F2D
        mov eax, ebx
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        cmp ebx, 0x2F2D
        hlt
msg:    db "protected VGA", 0
