; Real mode MUL/IMUL/DIV/IDIV on 8-, 16- and 32-bit operands, including negative dividends.
; Prints "muldiv" and stops through the exit port with code 0.
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov al, 200
        mov bl, 3
        mul bl                  ; ax = 600
        mov [p8], ax
        mov ax, 1234
        mov cx, 567
        mul cx                  ; dx:ax = 699678
        mov [p16], ax
        mov [p16 + 2], dx
        mov eax, -7
        mov ebx, 3
        imul ebx                ; edx:eax = -21
        mov [pi32], eax
        mov eax, 100000
        xor edx, edx
        mov ecx, 7
        div ecx                 ; eax = 14285, edx = 5
        mov [rq], eax
        mov [rr], edx
        mov ax, -1000
        cwd
        mov bx, 33
        idiv bx                 ; ax = -30, dx = -10
        mov [iq], ax
        mov [ir], dx
        imul si, [p8], 7        ; three-operand form
        imul di, si, -3
        mov si, msg
.p:     mov al, [si]
        cmp al, 0
        je .done
        out 0xE9, al
        inc si
        jmp .p
.done:  mov eax, [rq]
        add eax, [rr]           ; 14290
        mov eax, 0
        out 0xF4, eax
msg:    db "muldiv", 10, 0
p8:     dw 0
p16:    dd 0
pi32:   dd 0
rq:     dd 0
rr:     dd 0
iq:     dw 0
ir:     dw 0
