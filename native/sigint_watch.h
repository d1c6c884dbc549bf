// SIGINT for a worker, without Node's watchdog: a signal handler that only
// writes a byte to a pipe, and a thread that reads the pipe and tells an
// InterruptGate, one interrupt per signal. The same thread checks, every
// `orphan_check_ms`, that the process that started this one is still its
// parent: a worker stuck in a busy loop cannot see its connections close, so
// this is the last line of the no-orphans rule.
#pragma once

#include <sys/types.h>

#include <thread>

#include "interrupt_gate.h"

namespace loom {

class SigintWatch {
 public:
  using OrphanHook = void (*)(void* data);

  // Installs the SIGINT handler and starts the thread; throws SysError. One
  // watch per process at a time (the handler is process-wide): a second one
  // throws std::logic_error.
  SigintWatch(InterruptGate& gate, pid_t parent, int orphan_check_ms, OrphanHook on_orphan, void* data);
  // Restores the previous SIGINT disposition and joins the thread.
  ~SigintWatch();

  SigintWatch(const SigintWatch&) = delete;
  SigintWatch& operator=(const SigintWatch&) = delete;

 private:
  void loop();

  InterruptGate& gate_;
  const pid_t parent_;
  const int orphan_check_ms_;
  const OrphanHook on_orphan_;
  void* const data_;
  int pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace loom
