; One guest for lesson 06, run under two hypervisor designs: four CPUIDs (an exit the
; hypervisor's core handles) and a disk read printed on the console (exits that need device
; models: the virtio block device, then the virtio console; docs/platform.md).
; On emu the whole VMM is one user process; on KVM the CPUIDs never leave the kernel.
; Run it:  ringside run lessons/06-hosted-baremetal/io_guest.asm
;          ringside run --backend kvm lessons/06-hosted-baremetal/io_guest.asm
; ringside: entry=real
bits 16
org 0x7C00

BLK             equ 0x640               ; virtio block device
CON             equ 0x600               ; virtio console
REG_QUEUE_DESC  equ 0x08
REG_QUEUE_AVAIL equ 0x0C
REG_QUEUE_USED  equ 0x10
REG_NOTIFY      equ 0x14
BLK_AVAIL       equ 0x9000
BLK_USED        equ 0x9200
CON_AVAIL       equ 0x9400
CON_USED        equ 0x9600
SECTOR          equ 0xA000              ; sector 1 lands here
LINE            equ 23                  ; "ringside disk sector 1\n"

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov cx, 4
.id:    push cx
        xor eax, eax
        cpuid                           ; a CPUID exit each time
        pop cx
        loop .id
        xor ebx, ebx                    ; the vendor string differs per CPU: drop it, so
        xor ecx, ecx                    ; both backends end with the same registers
        xor edx, edx                    ; (ringside diff)

        ; Read sector 1: set the queue up, publish one request, notify once.
        mov dword [BLK_AVAIL], 0
        mov dword [BLK_USED], 0
        mov dx, BLK + REG_QUEUE_DESC
        mov eax, blk_desc
        out dx, eax
        mov dx, BLK + REG_QUEUE_AVAIL
        mov eax, BLK_AVAIL
        out dx, eax
        mov dx, BLK + REG_QUEUE_USED
        mov eax, BLK_USED
        out dx, eax
        mov word [BLK_AVAIL + 4], 0
        mov word [BLK_AVAIL + 2], 1
        mov dx, BLK + REG_NOTIFY
        xor eax, eax
        out dx, eax
        cmp word [BLK_USED + 2], 1
        jne failed
        cmp byte [status], 0
        jne failed

        ; Print the sector's first line through the console queue.
        mov dword [CON_AVAIL], 0
        mov dword [CON_USED], 0
        mov dx, CON + REG_QUEUE_DESC
        mov eax, con_desc
        out dx, eax
        mov dx, CON + REG_QUEUE_AVAIL
        mov eax, CON_AVAIL
        out dx, eax
        mov dx, CON + REG_QUEUE_USED
        mov eax, CON_USED
        out dx, eax
        mov word [CON_AVAIL + 4], 0
        mov word [CON_AVAIL + 2], 1
        mov dx, CON + REG_NOTIFY
        xor eax, eax
        out dx, eax
        hlt

failed: mov eax, 1
        out 0xF4, eax
        hlt

align 16
blk_desc:                               ; header, 512-byte buffer, status: one read request
        dq header
        dd 16
        dw 1, 1                         ; NEXT
        dq SECTOR
        dd 512
        dw 3, 2                         ; NEXT | WRITE
        dq status
        dd 1
        dw 2, 0                         ; WRITE
con_desc:
        dq SECTOR
        dd LINE
        dw 0, 0
header: dd 0, 0                         ; read
        dq 1                            ; sector 1
status: db 0xFF
