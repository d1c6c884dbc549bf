// SIGINT for a worker, without Node's watchdog: a signal handler that only
// writes a byte to a pipe, and a thread that reads the pipe and tells an
// InterruptGate, one interrupt per signal. The same thread checks, every
// `orphan_check_ms`, that the process that started this one is still its
// parent: a worker stuck in a busy loop cannot see its connections close, so
// this is the last line of the no-orphans rule. It also puts the handler back
// when something replaced it (see ensure_installed).
#pragma once

#include <sys/types.h>

#include <thread>

#include "interrupt_gate.h"

namespace loom {

class SigintWatch {
 public:
  using Hook = void (*)(void* data);

  // Installs the SIGINT handler and starts the thread; throws SysError. One
  // watch per process at a time (the handler is process-wide): a second one
  // throws std::logic_error. `on_orphan` is called when the parent is gone,
  // `on_replaced` (from the thread) when it found the handler replaced.
  SigintWatch(InterruptGate& gate, pid_t parent, int orphan_check_ms, Hook on_orphan, Hook on_replaced, void* data);
  // Restores the previous SIGINT disposition and joins the thread.
  ~SigintWatch();

  // Puts the handler back if something replaced it; true if it had to. Node
  // replaces it whenever its own SIGINT watchdog stops (after any `vm` run
  // with breakOnSigint), and so does a 'SIGINT' listener: the thread checks
  // at every wake, and the binding after a run long enough to have started
  // Node's watchdog.
  bool ensure_installed();

  SigintWatch(const SigintWatch&) = delete;
  SigintWatch& operator=(const SigintWatch&) = delete;

 private:
  void loop();

  InterruptGate& gate_;
  const pid_t parent_;
  const int orphan_check_ms_;
  const Hook on_orphan_;
  const Hook on_replaced_;
  void* const data_;
  int pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace loom
