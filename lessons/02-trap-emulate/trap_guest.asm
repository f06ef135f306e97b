; Lesson 02: a small guest kernel whose privileged instructions all trap when it runs
; deprivileged. Natively (--virt native) it runs at ring 0 and nothing intercepts it; under
; --virt trap it runs at ring 1 and each privileged instruction raises #GP to the VMM, which
; emulates it on the virtual CPU and resumes after it.
; ringside: entry=protected load=0x10000
bits 32
org 0x10000
start:
        lgdt [gdtr]                     ; privileged: loads the (virtual) GDTR
        jmp 0x08:.reload                ; not privileged: a far jump to a code segment
.reload:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax                      ; SS needs RPL = CPL: at ring 1 this traps
        mov esp, 0x90000
        lidt [idtr]                     ; privileged
        mov eax, cr0                    ; privileged: reads the virtual CR0
        mov cr3, eax                    ; privileged (paging is off: only remembered)
        cli                             ; privileged at IOPL 0: clears the virtual IF
        sti                             ; privileged: sets it again
        mov esi, msg
.print: lodsb
        test al, al
        jz .done
        out 0xe9, al                    ; I/O above IOPL: a trap for each byte
        jmp .print
.done:  xor eax, eax
        out 0xf4, eax                    ; the exit port (one more trap)

align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 0x08 code, DPL 0
        dq 0x00CF92000000FFFF           ; 0x10 data, DPL 0
gdt_end:
gdtr:   dw gdt_end - gdt - 1
        dd gdt
idtr:   dw 0x7FF
        dd 0x22000
msg:    db "ok", 10, 0
