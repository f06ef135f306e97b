; Hostile: asks nasm for an 8 MiB image; the file-size limit (4 MiB here) stops nasm itself.
; expect-reason: nasm
; ringside: entry=real
bits 16
org 0x7C00
        hlt
        times 8 * 1024 * 1024 db 0x90
