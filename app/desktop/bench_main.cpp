// ringside-app-bench: replays a synthetic trace (1 000 000 events by default) through every
// view, off-screen, and reports frame and scrub times (docs/app.md, "Benchmark").
//   --events N   trace length          --frames N  frames per measurement
//   --check      exit 1 when p95 frame > 16 ms or p95 scrub > 50 ms
#include "core/synthetic_trace.h"
#include "session.h"
#include "theme.h"
#include "views/compare_view.h"
#include "views/devices_view.h"
#include "views/page_walk_view.h"
#include "views/registers_view.h"
#include "views/rings_view.h"
#include "views/timeline_view.h"
#include "views/vmcs_view.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <random>
#include <vector>

using namespace ringside::desktop;

namespace {

struct Stats {
  double p50, p95, max;
};

/// This thread's CPU time: on a machine shared with builds, wall time also counts the time the
/// scheduler gave to others, so both are reported.
double cpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))];
  };
  return {at(0.50), at(0.95), ms.back()};
}

} // namespace

int main(int argc, char **argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QCommandLineParser cli;
  cli.addHelpOption();
  const QCommandLineOption eventsOpt(QStringLiteral("events"), QStringLiteral("trace length"),
                                     QStringLiteral("N"), QStringLiteral("1000000"));
  const QCommandLineOption framesOpt(QStringLiteral("frames"),
                                     QStringLiteral("frames per measurement"), QStringLiteral("N"),
                                     QStringLiteral("300"));
  const QCommandLineOption checkOpt(QStringLiteral("check"),
                                    QStringLiteral("fail over the targets"));
  cli.addOptions({eventsOpt, framesOpt, checkOpt});
  cli.process(app);
  const auto count = cli.value(eventsOpt).toULongLong();
  const int frames = std::max(10, cli.value(framesOpt).toInt());
  Theme::apply(ThemeId::Light, app);

  Session session;
  QElapsedTimer clock;
  clock.start();
  session.loadRecording(makeSyntheticTrace(count), QStringLiteral("synthetic"));
  const double loadMs = clock.nsecsElapsed() / 1e6;

  // Every view at the size it has in a 1600×1000 window.
  std::vector<std::pair<std::unique_ptr<ViewBase>, QSize>> views;
  views.emplace_back(std::make_unique<RingsView>(session), QSize(640, 420));
  views.emplace_back(std::make_unique<TimelineView>(session), QSize(1600, 220));
  views.emplace_back(std::make_unique<VmcsView>(session), QSize(900, 1400));
  views.emplace_back(std::make_unique<RegistersView>(session), QSize(420, 420));
  views.emplace_back(std::make_unique<DevicesView>(session), QSize(640, 520));
  views.emplace_back(std::make_unique<PageWalkView>(session), QSize(800, 300));
  // Compare draws runs of its own, not the cursor: rows priced from the synthetic trace, so
  // its cost is in every frame like the others'.
  auto compare = std::make_unique<CompareView>(session);
  {
    using namespace ringside;
    std::vector<TechniqueRun> rows;
    const auto &events = session.store().events();
    for (const auto &t : techniques())
      if (t.built) {
        TechniqueRun r{t.technique, {}, {}, costCounts(events, events.back().instructions), {}, {}};
        r.cost = estimateCost(r.counts, t.technique);
        r.result.instructions = events.back().instructions;
        rows.push_back(std::move(r));
      }
    compare->setRows(std::move(rows), QStringLiteral("synthetic"));
  }
  views.emplace_back(std::move(compare), QSize(800, 360));
  std::vector<QImage> images;
  for (auto &[view, size] : views) {
    view->resize(size);
    images.emplace_back(size, QImage::Format_ARGB32_Premultiplied);
  }
  std::vector<std::vector<double>> perView(views.size());
  auto frame = [&] {
    QElapsedTimer one;
    for (std::size_t i = 0; i < views.size(); ++i) {
      one.start();
      QPainter p(&images[i]);
      p.setRenderHint(QPainter::Antialiasing);
      views[i].first->render(p, QRect(QPoint(0, 0), views[i].second));
      p.end();
      perView[i].push_back(one.nsecsElapsed() / 1e6);
    }
  };

  // Playback: the cursor moves on by a frame's worth of events at full speed (~1/300 of the
  // trace per frame), every view redrawn.
  std::vector<double> playMs, playCpu, scrubCpu;
  const std::size_t stride = std::max<std::size_t>(1, count / static_cast<std::size_t>(frames));
  for (int f = 0; f < frames; ++f) {
    clock.restart();
    const double cpu0 = cpuMs();
    session.scrubTo(std::min<std::size_t>(count, 1 + f * stride));
    frame();
    playMs.push_back(clock.nsecsElapsed() / 1e6);
    playCpu.push_back(cpuMs() - cpu0);
  }
  // Scrubbing: jump to a random event, rebuild the state, redraw every view.
  std::mt19937_64 random(7);
  std::vector<double> scrubMs, stateMs;
  for (int f = 0; f < frames; ++f) {
    const std::size_t target = 1 + random() % count;
    clock.restart();
    const double cpu0 = cpuMs();
    session.scrubTo(target);
    stateMs.push_back(clock.nsecsElapsed() / 1e6);
    frame();
    scrubMs.push_back(clock.nsecsElapsed() / 1e6);
    scrubCpu.push_back(cpuMs() - cpu0);
  }
  const Stats play = stats(playMs), scrub = stats(scrubMs), state = stats(stateMs);
  std::printf("events %llu, frames %d, views %zu (rings, timeline, vmcs, registers, devices, "
              "page walk, compare), platform %s\n",
              static_cast<unsigned long long>(count), frames, views.size(),
              qPrintable(QGuiApplication::platformName()));
  std::printf("load+index      %9.1f ms\n", loadMs);
  std::printf("frame (all views)  p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms   target p95 <= 16\n",
              play.p50, play.p95, play.max);
  std::printf("scrub+frame        p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms   target p95 <= 50\n",
              scrub.p50, scrub.p95, scrub.max);
  const Stats playC = stats(playCpu), scrubC = stats(scrubCpu);
  std::printf("frame, CPU time    p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms\n", playC.p50, playC.p95,
              playC.max);
  std::printf("scrub+frame, CPU   p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms\n", scrubC.p50,
              scrubC.p95, scrubC.max);
  std::printf("scrub state only   p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms\n", state.p50, state.p95,
              state.max);
  for (std::size_t i = 0; i < views.size(); ++i) {
    const Stats v = stats(perView[i]);
    std::printf("  %-10s       p50 %6.2f ms  p95 %6.2f ms\n", qPrintable(views[i].first->key()),
                v.p50, v.p95);
  }
  if (cli.isSet(checkOpt) && (play.p95 > 16 || scrub.p95 > 50)) {
    std::printf("over target\n");
    return 1;
  }
  return 0;
}
