// The `ringside` command line: headless, no Qt Widgets.
#include "bench_command.h"
#include "compare_command.h"
#include "container_command.h"
#include "diff_command.h"
#include "grade_command.h"
#include "info_command.h"
#include "lessons_command.h"
#include "migrate_command.h"
#include "run_command.h"
#include "snapshot_command.h"
#include "vmcs_command.h"
#include "walk_command.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <string>

int main(int argc, char **argv) {
  CLI::App app{"Ringside: watch x86 virtualization happen, from real execution"};
  app.require_subcommand(1);
  ringside::cli::RunOptions run;
  ringside::cli::addRunCommand(app, run);
  ringside::cli::BenchOptions bench;
  ringside::cli::addBenchCommand(app, bench);
  ringside::cli::InfoOptions info;
  ringside::cli::addInfoCommand(app, info);
  ringside::cli::DiffOptions diff;
  ringside::cli::addDiffCommand(app, diff);
  ringside::cli::VmcsOptions vmcs;
  ringside::cli::addVmcsCommand(app, vmcs);
  ringside::cli::LessonsOptions lessons;
  ringside::cli::LessonOptions lesson;
  ringside::cli::addLessonsCommands(app, lessons, lesson);
  ringside::cli::CompareOptions compare;
  ringside::cli::addCompareCommand(app, compare);
  ringside::cli::WalkOptions walk;
  ringside::cli::addWalkCommand(app, walk);
  ringside::cli::GradeOptions grade;
  ringside::cli::addGradeCommand(app, grade);
  ringside::cli::SnapshotOptions snapshot;
  ringside::cli::addSnapshotCommand(app, snapshot);
  ringside::cli::MigrateOptions migrate;
  ringside::cli::addMigrateCommand(app, migrate);
  ringside::cli::ContainerCommandOptions container;
  ringside::cli::addContainerCommand(app, container);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    // One line, exit status 2, as for every other usage error; some CLI11 messages span lines.
    std::string reason = e.what();
    std::replace(reason.begin(), reason.end(), '\n', ' ');
    std::cerr << "ringside: " << reason << " (see ringside --help)\n";
    return 2;
  }
  if (app.got_subcommand("run"))
    return ringside::cli::runCommand(run);
  if (app.got_subcommand("info"))
    return ringside::cli::infoCommand(info);
  if (app.got_subcommand("diff"))
    return ringside::cli::diffCommand(diff);
  if (app.got_subcommand("vmcs"))
    return ringside::cli::vmcsCommand(vmcs);
  if (app.got_subcommand("lessons"))
    return ringside::cli::lessonsCommand(lessons);
  if (app.got_subcommand("lesson"))
    return ringside::cli::lessonCommand(lesson);
  if (app.got_subcommand("compare"))
    return ringside::cli::compareCommand(compare);
  if (app.got_subcommand("walk"))
    return ringside::cli::walkCommand(walk);
  if (app.got_subcommand("migrate"))
    return ringside::cli::migrateCommand(migrate);
  if (app.got_subcommand("snapshot"))
    return ringside::cli::snapshotCommand(app, snapshot);
  if (app.got_subcommand("grade"))
    return ringside::cli::gradeCommand(grade);
  if (app.got_subcommand("container"))
    return ringside::cli::containerCommand(container);
  return ringside::cli::benchCommand(bench);
}
