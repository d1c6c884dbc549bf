// The gate between a worker's main thread, which runs interruptible work, and
// the thread that hears SIGINT (sigint_watch.h). An interrupt that comes while
// a run is going breaks that run (the hook asks V8 to terminate execution);
// one that comes between runs is reported as idle (the worker then fails the
// async work in flight). Both sides take one mutex, so an interrupt can never
// strike after a run's leave(): a late terminate would hit whatever the main
// thread runs next.
#pragma once

#include <mutex>

namespace loom {

class InterruptGate {
 public:
  using Hook = void (*)(void* data);

  // `break_run` and `idle` are called with the gate's lock held: keep them short and non-blocking.
  InterruptGate(Hook break_run, Hook idle, void* data) : break_run_(break_run), idle_(idle), data_(data) {}

  // Main thread: a run begins.
  void enter() {
    std::lock_guard<std::mutex> lock(mu_);
    inside_ = true;
    struck_ = false;
  }

  // Main thread: the run is over. True if an interrupt struck during it; the
  // caller then cancels the termination that break_run asked for.
  bool leave() {
    std::lock_guard<std::mutex> lock(mu_);
    inside_ = false;
    bool struck = struck_;
    struck_ = false;
    return struck;
  }

  // Any thread: one interrupt. Breaks the run going on (once: more interrupts
  // during the same run change nothing), or reports it as idle.
  void interrupt() {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    if (!inside_) {
      idle_(data_);
    } else if (!struck_) {
      struck_ = true;
      break_run_(data_);
    }
  }

  // No hook is called once this returns (the process is going away).
  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }

 private:
  std::mutex mu_;
  bool inside_ = false;
  bool struck_ = false;
  bool closed_ = false;
  const Hook break_run_;
  const Hook idle_;
  void* const data_;
};

}  // namespace loom
