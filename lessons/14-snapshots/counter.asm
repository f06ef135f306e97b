; Lesson 14: a counter the snapshot cuts in the middle. Ten times, the guest adds 1 to a
; counter in memory (at 0x9000), spins a while, and prints the counter's digit on COM1; then it
; exits with code 0 if the counter reached 10 (else with how far it was off). The lesson takes a snapshot at instruction 1500,
; restores it in a fresh machine and runs on: the console must still read 0123456789 and the
; exit code must still be 0, as in a run that was never interrupted.
;   ringside snapshot save lessons/14-snapshots/counter.asm --at-insn 1500 -o c.rss
;   ringside snapshot info c.rss
;   ringside snapshot restore c.rss
; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov word [0x9000], 0            ; the counter: memory that belongs in the snapshot
.next:  mov cx, 300                     ; a while: the snapshot lands between two digits
.spin:  loop .spin
        mov al, [0x9000]
        add al, '0'
        mov dx, 0x3F8
        out dx, al                      ; the digit for the count so far
        inc word [0x9000]
        cmp word [0x9000], 10
        jb .next
        mov al, 10
        out dx, al
        mov ax, [0x9000]
        sub ax, 10
        movzx eax, ax
        mov dx, 0xF4                    ; the exit port: 0 when the count is 10
        out dx, eax
        hlt
