<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Export</name>
    <message>
        <source>cannot write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>MmuModes</name>
    <message>
        <source>the guest&apos;s own page tables, no VMM in the way</source>
        <translation>客户机自己的页表，没有虚拟机监控器介入</translation>
    </message>
    <message>
        <source>shadow paging: the VMM keeps tables the processor walks, built from the guest&apos;s</source>
        <translation>影子页表：虚拟机监控器根据客户机的页表构建供处理器遍历的页表</translation>
    </message>
    <message>
        <source>EPT: a 2-D walk, the guest&apos;s tables under the VMM&apos;s extended page tables</source>
        <translation>EPT：二维页表遍历，客户机页表之下是虚拟机监控器的扩展页表</translation>
    </message>
</context>
<context>
    <name>Transition</name>
    <message>
        <source>start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>interrupt/exception</source>
        <translation>中断/异常</translation>
    </message>
    <message>
        <source>IRET</source>
        <translation>IRET</translation>
    </message>
    <message>
        <source>far transfer / syscall</source>
        <translation>远转移 / 系统调用</translation>
    </message>
    <message>
        <source>VM exit: %1</source>
        <translation>VM 退出：%1</translation>
    </message>
    <message>
        <source>VM entry, injects %1</source>
        <translation>VM 进入，注入 %1</translation>
    </message>
    <message>
        <source>VM entry</source>
        <translation>VM 进入</translation>
    </message>
    <message>
        <source>ring %1 → %2: %3</source>
        <translation>环 %1 → %2：%3</translation>
    </message>
    <message>
        <source>exception %1</source>
        <translation>异常 %1</translation>
    </message>
    <message>
        <source>VM exit %1 at %2, qualification %3</source>
        <translation>VM 退出 %1，位于 %2，退出限定 %3</translation>
    </message>
    <message>
        <source>VM entry at %1, injecting vector %2</source>
        <translation>VM 进入 %1，注入向量 %2</translation>
    </message>
    <message>
        <source>VM entry at %1</source>
        <translation>VM 进入 %1</translation>
    </message>
    <message>
        <source>exception %1 at %2</source>
        <translation>异常 %1，位于 %2</translation>
    </message>
    <message>
        <source>ring %1 → %2 (%3)</source>
        <translation>环 %1 → %2（%3）</translation>
    </message>
    <message>
        <source>OUT port %1 ← %2</source>
        <translation>OUT 端口 %1 ← %2</translation>
    </message>
    <message>
        <source>IN port %1 → %2</source>
        <translation>IN 端口 %1 → %2</translation>
    </message>
    <message>
        <source>MMIO write %1 ← %2</source>
        <translation>MMIO 写 %1 ← %2</translation>
    </message>
    <message>
        <source>MMIO read %1 → %2</source>
        <translation>MMIO 读 %1 → %2</translation>
    </message>
    <message>
        <source>hypercall %1 → %2</source>
        <translation>超级调用 %1 → %2</translation>
    </message>
    <message>
        <source>page walk %1 → %2 (%3 references)</source>
        <translation>页表遍历 %1 → %2（%3 次访存）</translation>
    </message>
    <message>
        <source>page walk %1 faults (error code %2)</source>
        <translation>页表遍历 %1 失败（错误码 %2）</translation>
    </message>
    <message>
        <source>TLB %1 %2</source>
        <translation>TLB %1 %2</translation>
    </message>
    <message>
        <source>console: &quot;%1&quot;</source>
        <translation>控制台：“%1”</translation>
    </message>
    <message>
        <source>VMCS %1: %2 → %3</source>
        <translation>VMCS %1：%2 → %3</translation>
    </message>
    <message>
        <source>stop: %1 %2</source>
        <translation>停止：%1 %2</translation>
    </message>
    <message>
        <source>guest hypervisor: %1 → %2</source>
        <translation>客户机中的虚拟机监控器：%1 → %2</translation>
    </message>
    <message>
        <source>container %1 %2 = %3 %4</source>
        <translation>容器 %1 %2 = %3 %4</translation>
    </message>
    <message>
        <source>nested VM exit (L2 → L1): %1</source>
        <translation>嵌套 VM 退出（L2 → L1）：%1</translation>
    </message>
    <message>
        <source>nested VM entry (L1 → L2)</source>
        <translation>嵌套 VM 进入（L1 → L2）</translation>
    </message>
    <message>
        <source>nested VM exit %1 at %2, qualification %3</source>
        <translation>嵌套 VM 退出 %1，位于 %2，退出限定信息 %3</translation>
    </message>
    <message>
        <source>nested VM entry at %1</source>
        <translation>嵌套 VM 进入，位于 %1</translation>
    </message>
    <message>
        <source>VMCS at %1 (guest hypervisor&apos;s) %2: %3 → %4</source>
        <translation>位于 %1 的 VMCS（客户机虚拟机监控器的）%2：%3 → %4</translation>
    </message>
    <message>
        <source>trap (%1) at %2: VMM emulates %3</source>
        <translation>陷入（%1），位于 %2：虚拟机监控器模拟 %3</translation>
    </message>
    <message>
        <source>leak at %1: %2 — %3 expected %4, guest saw %5 (no trap)</source>
        <translation>泄漏，位于 %1：%2 — %3 应为 %4，客户机看到 %5（未陷入）</translation>
    </message>
    <message>
        <source>translation cache hit: block %1</source>
        <translation>翻译缓存命中：基本块 %1</translation>
    </message>
    <message>
        <source>translated block %1: %2 instructions, %3 rewritten (%4)</source>
        <translation>已翻译基本块 %1：%2 条指令，改写 %3 条（%4）</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::CompareView</name>
    <message>
        <source>What am I looking at: the same guest run under each virtualization technique built (as `ringside compare` does): instructions, VM exits, port I/O, faults and hypercalls counted from each run&apos;s trace, and an estimated cost in cycles. The bars split that estimate by operation. The cycles are a model with 2006 Pentium 4 figures (Adams &amp; Agesen), not a measurement.</source>
        <translation>这是什么：同一个客户机在每种已实现的虚拟化技术下运行（与 `ringside compare` 相同）：从每次运行的轨迹中统计指令数、VM 退出、端口 I/O、故障和超级调用，并给出以周期计的估计开销。条形图按操作拆分这一估计。周期数是基于 2006 年 Pentium 4 数据的模型（Adams &amp; Agesen），不是实测。</translation>
    </message>
    <message>
        <source>Compare: running %1 under every technique…</source>
        <translation>比较：正在以每种技术运行 %1……</translation>
    </message>
    <message>
        <source>Compare: the comparison failed</source>
        <translation>比较：比较失败</translation>
    </message>
    <message>
        <source>Compare: Run → Compare techniques runs the editor&apos;s guest under each technique</source>
        <translation>比较：“运行 → 比较虚拟化技术”会以每种技术运行编辑器中的客户机</translation>
    </message>
    <message>
        <source>Compare: %1 under each technique</source>
        <translation>比较：%1 在各种技术下的表现</translation>
    </message>
    <message>
        <source>modelled</source>
        <translation>模型数据</translation>
    </message>
    <message>
        <source>technique</source>
        <translation>技术</translation>
    </message>
    <message>
        <source>stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>instructions</source>
        <translation>指令数</translation>
    </message>
    <message>
        <source>exits</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>I/O</source>
        <translation>I/O</translation>
    </message>
    <message>
        <source>faults</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>hypercalls</source>
        <translation>超级调用</translation>
    </message>
    <message>
        <source>est. cycles</source>
        <translation>估计周期</translation>
    </message>
    <message>
        <source>vs first</source>
        <translation>相对首行</translation>
    </message>
    <message>
        <source>cycles: a model with 2006 Pentium 4 figures (Adams &amp; Agesen, ASPLOS 2006), not a measurement</source>
        <translation>周期数：基于 2006 年 Pentium 4 数据的模型（Adams &amp; Agesen，ASPLOS 2006），不是实测</translation>
    </message>
    <message>
        <source> · not built yet: %1</source>
        <translation> · 尚未实现：%1</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::DevicesView</name>
    <message>
        <source>What am I looking at: what the guest wrote to its devices up to the current event: text on the debug console (port 0xE9) or serial port (console events), and the VGA text screen at 0xB8000 (each character a memory-mapped write, mmio events).</source>
        <translation>这是什么：到当前事件为止客户机写入设备的内容：调试控制台（端口 0xE9）或串口上的文字（console 事件），以及 0xB8000 处的 VGA 文本屏幕（每个字符都是一次内存映射写入，mmio 事件）。</translation>
    </message>
    <message>
        <source>Console (port 0xE9 / serial)</source>
        <translation>控制台（端口 0xE9 / 串口）</translation>
    </message>
    <message>
        <source>VGA text screen (0xB8000)</source>
        <translation>VGA 文本屏幕（0xB8000）</translation>
    </message>
    <message>
        <source>VGA text screen (0xB8000): untouched</source>
        <translation>VGA 文本屏幕（0xB8000）：未写入</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>VGA text screen (0xB8000), rows 1–%1 of 25</source>
        <translation>VGA 文本屏幕（0xB8000），显示第 1–%1 行（共 25 行）</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::LessonGuide</name>
    <message>
        <source>your prediction</source>
        <translation>你的预测</translation>
    </message>
    <message>
        <source>This run has no event &apos;%1&apos;.</source>
        <translation>这次运行中没有事件“%1”。</translation>
    </message>
    <message>
        <source>Predict first: choose or type an answer, then run to check it.</source>
        <translation>请先预测：选择或输入一个答案，然后运行以检验。</translation>
    </message>
    <message>
        <source>The trace of this run has no event the question asks about.</source>
        <translation>这次运行的轨迹中没有问题所问的事件。</translation>
    </message>
    <message>
        <source>Right: you predicted %1, and the trace says %2.</source>
        <translation>正确：你预测 %1，轨迹显示 %2。</translation>
    </message>
    <message>
        <source>Not quite: you predicted %1, the trace says %2.</source>
        <translation>不对：你预测 %1，轨迹显示 %2。</translation>
    </message>
    <message>
        <source>◀ Step</source>
        <translation>◀ 上一步</translation>
    </message>
    <message>
        <source>Step ▶</source>
        <translation>下一步 ▶</translation>
    </message>
    <message>
        <source>Go there</source>
        <translation>前往</translation>
    </message>
    <message>
        <source>Run the step&apos;s guest and move to the event the step is about</source>
        <translation>运行该步骤的客户机，并跳到该步骤讲解的事件</translation>
    </message>
    <message>
        <source>◀</source>
        <translation>◀</translation>
    </message>
    <message>
        <source>▶</source>
        <translation>▶</translation>
    </message>
    <message>
        <source>Run and check</source>
        <translation>运行并检验</translation>
    </message>
    <message>
        <source>Run the guest and check your prediction against the recorded trace</source>
        <translation>运行客户机，并用记录的轨迹检验你的预测</translation>
    </message>
    <message>
        <source>What am I looking at: the lesson&apos;s steps (each goes to an event and shows a view) and its checkpoints: predict the answer, then run and check it against the trace.</source>
        <translation>这是什么：课程的步骤（每一步跳到一个事件并显示一个视图）和检查点：先预测答案，再运行并用轨迹检验。</translation>
    </message>
    <message>
        <source>Lesson %1: %2</source>
        <translation>第 %1 课：%2</translation>
    </message>
    <message>
        <source>Open a lesson&apos;s guest to follow its steps and checkpoints.</source>
        <translation>打开某一课的客户机，即可按步骤学习并回答检查点。</translation>
    </message>
    <message>
        <source>Step %1 of %2</source>
        <translation>第 %1 步（共 %2 步）</translation>
    </message>
    <message>
        <source>Checkpoint %1 of %2</source>
        <translation>检查点 %1（共 %2 个）</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::MainWindow</name>
    <message>
        <source>Open guest</source>
        <translation>打开客户机</translation>
    </message>
    <message>
        <source>nasm source (*.asm)</source>
        <translation>nasm 源文件 (*.asm)</translation>
    </message>
    <message>
        <source>Ringside</source>
        <translation>Ringside</translation>
    </message>
    <message>
        <source>Ringside — %1</source>
        <translation>Ringside — %1</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Assemble the editor&apos;s guest and run it (F5)</source>
        <translation>汇编编辑器中的客户机并运行（F5）</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Pause or resume playback (F6)</source>
        <translation>暂停或继续播放（F6）</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the guest (Shift+F5)</source>
        <translation>停止客户机（Shift+F5）</translation>
    </message>
    <message>
        <source>Step back</source>
        <translation>后退一步</translation>
    </message>
    <message>
        <source>Show the previous event (←)</source>
        <translation>显示上一个事件（←）</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <source>Show the next event (→ or Space)</source>
        <translation>显示下一个事件（→ 或空格）</translation>
    </message>
    <message>
        <source>Next trap</source>
        <translation>下一个陷入</translation>
    </message>
    <message>
        <source>Show the next exit, exception, ring change or page walk (↓)</source>
        <translation>显示下一个退出、异常、特权级变化或页表遍历（↓）</translation>
    </message>
    <message>
        <source>First event</source>
        <translation>第一个事件</translation>
    </message>
    <message>
        <source>Last event</source>
        <translation>最后一个事件</translation>
    </message>
    <message>
        <source>Open guest…</source>
        <translation>打开客户机…</translation>
    </message>
    <message>
        <source>Save guest</source>
        <translation>保存客户机</translation>
    </message>
    <message>
        <source>Open trace (.jsonl)…</source>
        <translation>打开跟踪（.jsonl）…</translation>
    </message>
    <message>
        <source>Export trace as JSONL…</source>
        <translation>导出跟踪为 JSONL…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Presenter mode</source>
        <translation>演示模式</translation>
    </message>
    <message>
        <source>Large type, high contrast, no editor; Space/→ step, ← back (F11)</source>
        <translation>大字号、高对比度、隐藏编辑器；空格/→ 单步，← 后退（F11）</translation>
    </message>
    <message>
        <source>Reset panel layout</source>
        <translation>重置面板布局</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Export view</source>
        <translation>导出视图</translation>
    </message>
    <message>
        <source>%1 as PNG or SVG…</source>
        <translation>%1 导出为 PNG 或 SVG…</translation>
    </message>
    <message>
        <source>Lessons</source>
        <translation>课程</translation>
    </message>
    <message>
        <source>What am I looking at: the lessons (folders under lessons/) and their guests. Double-click a guest to open it.</source>
        <translation>这是什么：课程（lessons/ 下的文件夹）及其客户机程序。双击客户机即可打开。</translation>
    </message>
    <message>
        <source>Where the guest runs: emu (emulated CPU, modelled VT-x) or kvm</source>
        <translation>客户机在哪里运行：emu（模拟 CPU，VT-x 为模型）或 kvm</translation>
    </message>
    <message>
        <source>KVM is not usable here: %1</source>
        <translation>此处无法使用 KVM：%1</translation>
    </message>
    <message>
        <source>%1: no .asm guest in this lesson</source>
        <translation>%1：该课程中没有 .asm 客户机</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>cannot save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message>
        <source>Open a guest first (a lesson on the left)</source>
        <translation>请先打开一个客户机（左侧的课程）</translation>
    </message>
    <message>
        <source>%1 — the emulator (emu) is selected; press Run to use it</source>
        <translation>%1 — 已选择模拟器（emu）；按“运行”即可使用</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source>Speed: full</source>
        <translation>速度：全速</translation>
    </message>
    <message>
        <source>Speed: %1 events/s</source>
        <translation>速度：%1 事件/秒</translation>
    </message>
    <message>
        <source>event %1 / %2%3</source>
        <translation>事件 %1 / %2%3</translation>
    </message>
    <message>
        <source> · running</source>
        <translation> · 运行中</translation>
    </message>
    <message>
        <source>backend %1: %2</source>
        <translation>后端 %1：%2</translation>
    </message>
    <message>
        <source>Image (*.png);;SVG (*.svg)</source>
        <translation>图像 (*.png);;SVG (*.svg)</translation>
    </message>
    <message>
        <source>wrote %1</source>
        <translation>已写入 %1</translation>
    </message>
    <message>
        <source>Export trace</source>
        <translation>导出跟踪</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl)</source>
        <translation>JSON Lines (*.jsonl)</translation>
    </message>
    <message>
        <source>Open trace</source>
        <translation>打开跟踪</translation>
    </message>
    <message>
        <source>Break at… (rip:0x7c0d, exit:HLT, ring)</source>
        <translation>断点…（rip:0x7c0d、exit:HLT、ring）</translation>
    </message>
    <message>
        <source>Playback stops at the first matching event: rip:ADDRESS, exit:REASON (e.g. IO_INSTRUCTION), exception:#PF, or ring (any privilege change)</source>
        <translation>播放在第一个匹配的事件处停止：rip:地址、exit:退出原因（如 IO_INSTRUCTION）、exception:#PF，或 ring（任何特权级变化）</translation>
    </message>
    <message>
        <source>stopped at the breakpoint · </source>
        <translation>已在断点处停止 · </translation>
    </message>
    <message>
        <source>breakpoint: %1</source>
        <translation>断点：%1</translation>
    </message>
    <message>
        <source>Compare techniques</source>
        <translation>比较虚拟化技术</translation>
    </message>
    <message>
        <source>Run the editor&apos;s guest under every technique built and compare (Ctrl+K)</source>
        <translation>以每种已实现的技术运行编辑器中的客户机并比较（Ctrl+K）</translation>
    </message>
    <message>
        <source>Guide</source>
        <translation>课程向导</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::PageWalkView</name>
    <message>
        <source>Page walk: no walk events yet (paging is off, or none so far)</source>
        <translation>页表遍历：尚无 walk 事件（分页未开启，或至今没有）</translation>
    </message>
    <message>
        <source>modelled</source>
        <translation>模型数据</translation>
    </message>
    <message>
        <source>Walk #%1 of %2 · %3 walk of %4 (%5)</source>
        <translation>遍历 #%1（共 %2 次）· %4 的 %3 遍历（%5）</translation>
    </message>
    <message>
        <source>table %1
index %2
entry %3</source>
        <translation>页表 %1
索引 %2
表项 %3</translation>
    </message>
    <message>
        <source>result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <source>%1
page %2 bytes</source>
        <translation>%1
页大小 %2 字节</translation>
    </message>
    <message>
        <source>#PF error code %1</source>
        <translation>#PF 错误码 %1</translation>
    </message>
    <message>
        <source>memory references: %1 · TLB fills so far: %2</source>
        <translation>访存次数：%1 · 至今 TLB 填充：%2</translation>
    </message>
    <message>
        <source>Page walk</source>
        <translation>页表遍历</translation>
    </message>
    <message>
        <source>What am I looking at: the last page walk up to the current event (walk events). A walk of one table tree shows, level by level, the table read, the index and the entry. A 2-D walk (the guest&apos;s tables under EPT) is a grid: one row per guest level, one column per EPT level; every guest table address is itself translated through the EPT first. The cells light up in the order the processor reads them, with a running count. Right: the TLB entries the tlb events have filled and not flushed, with hits and misses.</source>
        <translation>这是什么：到当前事件为止的最近一次页表遍历（walk 事件）。单棵页表树的遍历逐级显示读取的页表、索引和表项。二维遍历（EPT 之下的客户机页表）是一个网格：每一行是客户机的一级页表，每一列是 EPT 的一级；每个客户机页表的地址都要先经过 EPT 翻译。格子按处理器读取的顺序依次点亮，并实时计数。右侧：由 tlb 事件填充且尚未刷新的 TLB 表项，以及命中和未命中次数。</translation>
    </message>
    <message>
        <source>Page walk: no walk yet; the TLB so far</source>
        <translation>页表遍历：尚无遍历；目前的 TLB</translation>
    </message>
    <message>
        <source>Walk #%1 of %2 · 2-D walk %3 of %4 (guest tables under EPT)</source>
        <translation>遍历 #%1（共 %2 次）· 二维遍历 %3，地址 %4（EPT 之下的客户机页表）</translation>
    </message>
    <message>
        <source>guest entry</source>
        <translation>客户机表项</translation>
    </message>
    <message>
        <source>EPT L%1</source>
        <translation>EPT L%1</translation>
    </message>
    <message>
        <source>guest %1</source>
        <translation>客户机 %1</translation>
    </message>
    <message>
        <source>data GPA</source>
        <translation>数据 GPA</translation>
    </message>
    <message>
        <source>GPA %1</source>
        <translation>GPA %1</translation>
    </message>
    <message>
        <source>the guest walk has not finished at this event</source>
        <translation>在此事件处客户机遍历尚未完成</translation>
    </message>
    <message>
        <source>EPT exit %1 (%2)</source>
        <translation>EPT 退出 %1（%2）</translation>
    </message>
    <message>
        <source>EPT violation</source>
        <translation>EPT 违例</translation>
    </message>
    <message>
        <source>EPT misconfiguration</source>
        <translation>EPT 配置错误</translation>
    </message>
    <message>
        <source>%1 → GPA %2, then the data access</source>
        <translation>%1 → GPA %2，随后访问数据</translation>
    </message>
    <message>
        <source>the guest walk faulted (#PF)</source>
        <translation>客户机遍历出错（#PF）</translation>
    </message>
    <message>
        <source>references: %1 of %2 · %3</source>
        <translation>内存引用：%1 / %2 · %3</translation>
    </message>
    <message>
        <source>TLB · hits %1 · misses %2 · flushes %3</source>
        <translation>TLB · 命中 %1 · 未命中 %2 · 刷新 %3</translation>
    </message>
    <message>
        <source>no entries: nothing filled yet, or flushed since</source>
        <translation>没有表项：尚未填充，或已被刷新</translation>
    </message>
    <message>
        <source>VA → PA (size, VPID)</source>
        <translation>VA → PA（大小，VPID）</translation>
    </message>
    <message>
        <source>the guest&apos;s tables (event %1): what the guest set up</source>
        <translation>客户机的页表（事件 %1）：客户机自己建立的</translation>
    </message>
    <message>
        <source>the shadow tables (event %1): what the processor walks</source>
        <translation>影子页表（事件 %1）：处理器实际遍历的</translation>
    </message>
    <message>
        <source> · %1 memory references</source>
        <translation> · 访存 %1 次</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::RegistersView</name>
    <message>
        <source>What am I looking at: the guest&apos;s registers as the trace reports them. The first block comes from the latest events (RIP, CPL, CR2 of the last page fault, instructions retired); the second from the VMCS guest-state area, which the monitor saves on every VM exit (modelled). Lit values changed since the last exit.</source>
        <translation>这是什么：跟踪中报告的客户机寄存器。第一组来自最近的事件（RIP、CPL、最近一次缺页的 CR2、已执行指令数）；第二组来自 VMCS 客户机状态区，监控器在每次 VM 退出时保存它（模型数据）。高亮的值自上次退出以来发生了变化。</translation>
    </message>
    <message>
        <source>Registers at event %1</source>
        <translation>事件 %1 时的寄存器</translation>
    </message>
    <message>
        <source>VMCS: modelled</source>
        <translation>VMCS：模型数据</translation>
    </message>
    <message>
        <source>RIP (event)</source>
        <translation>RIP（事件）</translation>
    </message>
    <message>
        <source>CPL</source>
        <translation>CPL</translation>
    </message>
    <message>
        <source>mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>VMX root</source>
        <translation>VMX 根模式</translation>
    </message>
    <message>
        <source>non-root</source>
        <translation>非根模式</translation>
    </message>
    <message>
        <source>CR2 (#PF)</source>
        <translation>CR2（#PF）</translation>
    </message>
    <message>
        <source>instructions</source>
        <translation>指令数</translation>
    </message>
    <message>
        <source>Registers</source>
        <translation>寄存器</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::RingsView</name>
    <message>
        <source>What am I looking at: the guest&apos;s privilege rings (CPL 0 = kernel, 3 = user) inside VMX non-root mode, and the monitor in VMX root mode. The lit ring is the current CPL; arrows are the latest transitions (exceptions, IRET, system calls, VM exits and entries) with their cause, taken from ring, exception, exit and entry events.</source>
        <translation>这是什么：VMX 非根模式中客户机的特权环（CPL 0 = 内核，3 = 用户），以及处于 VMX 根模式的监控器。点亮的环是当前 CPL；箭头是最近的转换（异常、IRET、系统调用、VM 退出和进入）及其原因，取自 ring、exception、exit 和 entry 事件。</translation>
    </message>
    <message>
        <source>No events yet: run a guest</source>
        <translation>尚无事件：请运行一个客户机</translation>
    </message>
    <message>
        <source>Monitor running (VMX root) · guest CPL %1</source>
        <translation>监控器运行中（VMX 根模式）· 客户机 CPL %1</translation>
    </message>
    <message>
        <source>Guest running (VMX non-root) · CPL %1</source>
        <translation>客户机运行中（VMX 非根模式）· CPL %1</translation>
    </message>
    <message>
        <source>VMX non-root: the guest</source>
        <translation>VMX 非根模式：客户机</translation>
    </message>
    <message>
        <source>VMX root: the monitor</source>
        <translation>VMX 根模式：监控器</translation>
    </message>
    <message>
        <source>ring 0 kernel · ring 3 user</source>
        <translation>环 0 内核 · 环 3 用户</translation>
    </message>
    <message>
        <source>event %1 of %2 · exits %3 · entries %4 · exceptions %5 · instructions %6</source>
        <translation>事件 %1/%2 · 退出 %3 · 进入 %4 · 异常 %5 · 指令 %6</translation>
    </message>
    <message>
        <source>Rings</source>
        <translation>特权环</translation>
    </message>
    <message>
        <source>VM exits handled: %1
last exit: %2
at guest RIP 0x%3
qualification 0x%4</source>
        <translation>已处理 VM 退出：%1
最近一次退出：%2
客户机 RIP 0x%3
退出限定 0x%4</translation>
    </message>
    <message>
        <source> · nested guest (L2)</source>
        <translation> · 嵌套客户机（L2）</translation>
    </message>
    <message>
        <source> · guest hypervisor (L1)</source>
        <translation> · 客户机虚拟机监控器（L1）</translation>
    </message>
    <message>
        <source>level L2: the nested guest</source>
        <translation>层级 L2：嵌套客户机</translation>
    </message>
    <message>
        <source>level L1: the guest&apos;s own hypervisor</source>
        <translation>层级 L1：客户机自己的虚拟机监控器</translation>
    </message>
    <message>
        <source>nested entries %1 · exits %2</source>
        <translation>嵌套进入 %1 · 退出 %2</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::RunPickers</name>
    <message>
        <source>Technique:</source>
        <translation>虚拟化技术：</translation>
    </message>
    <message>
        <source>MMU:</source>
        <translation>MMU：</translation>
    </message>
    <message>
        <source>How the guest is virtualized (--virt)</source>
        <translation>客户机的虚拟化方式（--virt）</translation>
    </message>
    <message>
        <source>How guest memory is translated (--mmu)</source>
        <translation>客户机内存的地址转换方式（--mmu）</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1 — not built yet in sim-core</source>
        <translation>%1 —— sim-core 中尚未实现</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::Session</name>
    <message>
        <source>The run was stopped: the recording is full (%1 events).</source>
        <translation>运行已停止：记录已满（%1 个事件）。</translation>
    </message>
    <message>
        <source>The backend failed: %1</source>
        <translation>后端出错：%1</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::TimelineView</name>
    <message>
        <source>What am I looking at: every event of the run, left to right in the order it happened, in lanes for the guest, the monitor and the devices, coloured by kind. Wheel: zoom, Shift+wheel: pan, click: show the machine at that event.</source>
        <translation>这是什么：本次运行的每个事件，按发生顺序从左到右排列，分为客户机、监控器和设备三条泳道，按种类着色。滚轮：缩放，Shift+滚轮：平移，单击：显示该事件时的机器状态。</translation>
    </message>
    <message>
        <source>%1 events</source>
        <translation>%1 个事件</translation>
    </message>
    <message>
        <source>guest</source>
        <translation>客户机</translation>
    </message>
    <message>
        <source>monitor</source>
        <translation>监控器</translation>
    </message>
    <message>
        <source>devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
</context>
<context>
    <name>ringside::desktop::VmcsView</name>
    <message>
        <source>What am I looking at: the VMCS, the structure a VT-x monitor keeps per virtual CPU (controls, guest state, host state, exit information), field by field with its encoding and value at the current event, built from vmcs events. Lit fields changed since the last VM exit. The data is modelled: Ringside&apos;s VT-x model keeps this VMCS (KVM never exposes its own). Hover a field for details.</source>
        <translation>这是什么：VMCS，即 VT-x 监控器为每个虚拟 CPU 维护的结构（控制字段、客户机状态、宿主机状态、退出信息），逐字段列出当前事件时的编码和值，由 vmcs 事件构建。高亮字段自上次 VM 退出以来发生了变化。这些数据来自模型：由 Ringside 的 VT-x 模型维护（KVM 从不公开自己的 VMCS）。将鼠标悬停在字段上可查看详情。</translation>
    </message>
    <message>
        <source>VMCS at event %1 · %2 fields changed since the last VM exit</source>
        <translation>事件 %1 时的 VMCS · 自上次 VM 退出以来 %2 个字段有变化</translation>
    </message>
    <message>
        <source>VMCS: no vmcs events yet (this backend or run has none to show)</source>
        <translation>VMCS：尚无 vmcs 事件（该后端或本次运行没有可显示的内容）</translation>
    </message>
    <message>
        <source>modelled</source>
        <translation>模型数据</translation>
    </message>
    <message>
        <source>%1 · %2-bit · %3</source>
        <translation>%1 · %2 位 · %3</translation>
    </message>
    <message>
        <source>value 0x%1 = %2, last changed at event %3</source>
        <translation>值 0x%1 = %2，最近一次在事件 %3 改变</translation>
    </message>
    <message>
        <source>bits set: %1</source>
        <translation>置位的位：%1</translation>
    </message>
    <message>
        <source>no vmcs event has set this field yet</source>
        <translation>尚无 vmcs 事件设置此字段</translation>
    </message>
    <message>
        <source>VMCS</source>
        <translation>VMCS</translation>
    </message>
    <message>
        <source>Ringside&apos;s VMM (its VMCS for the guest)</source>
        <translation>Ringside 的虚拟机监控器（它为客户机维护的 VMCS）</translation>
    </message>
    <message>
        <source>guest hypervisor&apos;s VMCS at 0x%1</source>
        <translation>客户机虚拟机监控器位于 0x%1 的 VMCS</translation>
    </message>
    <message>
        <source>Guest hypervisor&apos;s VMCS at 0x%1 · event %2 · %3 fields changed since the last nested exit</source>
        <translation>客户机虚拟机监控器位于 0x%1 的 VMCS · 事件 %2 · 自上次嵌套退出以来 %3 个字段有变化</translation>
    </message>
</context>
</TS>
