; Hostile: tries to print 100 MB on the debug console; the console budget stops it.
; expect-reason: console budget exceeded
; ringside: entry=real
bits 16
org 0x7C00
        mov al, 'A'
        mov ecx, 100 * 1024 * 1024
.next:  out 0xE9, al
        dec ecx
        jnz .next
        hlt
