; Hostile: unbounded recursion in long mode. The stack starts at 0x1000 and grows down through
; 0, wrapping to 0xFFFFFFFFFFFFFFF8, which no page table maps: #PF. The CPU cannot push the
; #PF frame on that stack (#DF), nor the #DF frame: a triple fault, even with #PF and #DF
; handlers installed.
; ringside: entry=long load=0x10000
; expect: emu=shutdown kvm=shutdown
bits 64
org 0x10000
        lea rax, [rel handler]
        mov ebx, 14
        call set_gate
        mov ebx, 8
        call set_gate
        lidt [idtr]
        mov rsp, 0x1000
recurse:
        call recurse

set_gate:                               ; rax handler, ebx vector
        shl rbx, 4
        lea rdi, [rel idt]
        add rdi, rbx
        mov [rdi], ax
        mov word [rdi + 2], 0x18
        mov word [rdi + 4], 0x8E00
        mov rdx, rax
        shr rdx, 16
        mov [rdi + 6], dx
        shr rdx, 16
        mov [rdi + 8], edx
        mov dword [rdi + 12], 0
        ret

handler:                                ; never reached: the frame cannot be pushed
        mov al, '!'
        out 0xE9, al
        hlt

align 8
idtr:   dw 256 * 16 - 1
        dq idt
align 16
idt:    times 256 * 2 dq 0
