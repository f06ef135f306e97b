#pragma once
// The technique comparison of `ringside compare`: the guest under every built technique, one
// row each (instructions, exits, I/O, faults, hypercalls, estimated cycles) with a bar of the
// estimated cycles split by cost-model operation. The runs happen on a worker thread with the
// same sim-core code as the CLI (vmm/technique_compare.h); the cycles are a model.
#include "views/view_base.h"
#include "vmm/technique_compare.h"

#include <QTimer>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace ringside::desktop {

class CompareView : public ViewBase {
  Q_OBJECT
public:
  explicit CompareView(Session &session, QWidget *parent = nullptr);
  ~CompareView() override;
  void render(QPainter &painter, const QRect &area) override;
  QString title() const override { return tr("Compare"); }
  QString helpText() const override;
  QString key() const override { return QStringLiteral("compare"); }
  QSize exportSize() const override { return size().expandedTo(QSize(900, 360)); }

  /// Loads `guestPath` (nasm errors come back at once, as text) and compares it on a worker
  /// thread under every built technique; "" when the comparison started.
  QString compare(const QString &guestPath, const std::string &vmxProfile = {});
  /// Stops the runs under way (the rows done so far are dropped).
  void cancel();
  bool busy() const { return worker_.joinable() && !done_.load(); }
  const std::vector<TechniqueRun> &rows() const { return rows_; }
  const QString &error() const { return error_; }
  const QString &guestLabel() const { return label_; }
  /// Puts finished rows in place (the poll timer does it; tests may call it).
  void collect();
  /// Rows from elsewhere (the screenshot tour, the benchmark).
  void setRows(std::vector<TechniqueRun> rows, const QString &label);

signals:
  void finished();

private:
  void join();

  std::thread worker_;
  std::atomic<bool> done_{false}, cancelled_{false};
  std::mutex mutex_;           ///< guards running_, pending_ and pendingError_
  Backend *running_ = nullptr; ///< the run under way, for cancel()
  std::vector<TechniqueRun> rows_, pending_;
  std::string pendingError_;
  QString error_, label_;
  QTimer poll_;
};

} // namespace ringside::desktop
