// The interrupt core without Node: the gate under two threads (an interrupt
// breaks only a run that is going, once, and never lands after leave), and the
// SIGINT watch with real signals (idle and in-run delivery, the orphan check,
// one watch per process, the old disposition restored).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "core_check.h"
#include "interrupt_gate.h"
#include "sigint_watch.h"

namespace {

struct Counts {
  std::atomic<int> breaks{0};
  std::atomic<int> idles{0};
  std::atomic<int> orphans{0};
  std::atomic<int> replaced{0};
  // Set by the test's main thread from before enter() to after leave().
  std::atomic<bool> inside{false};
  std::atomic<int> breaks_outside{0};
};

void on_break(void* d) {
  auto* c = static_cast<Counts*>(d);
  if (!c->inside.load()) c->breaks_outside++;
  c->breaks++;
}
void on_idle(void* d) { static_cast<Counts*>(d)->idles++; }
void on_orphan(void* d) { static_cast<Counts*>(d)->orphans++; }
void on_replaced(void* d) { static_cast<Counts*>(d)->replaced++; }

bool wait_for(const std::atomic<int>& v, int at_least) {
  for (int i = 0; i < 2000; i++) {
    if (v.load() >= at_least) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

void test_gate_under_threads() {
  Counts c;
  loom::InterruptGate gate(on_break, on_idle, &c);
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::thread interrupter([&] {
    while (!stop.load()) {
      gate.interrupt();
      sent++;
      std::this_thread::yield();
    }
  });
  int struck = 0;
  for (int i = 0; i < 200000; i++) {
    c.inside.store(true);
    gate.enter();
    for (volatile int k = 0; k < 20; k = k + 1) {
    }
    bool s = gate.leave();
    c.inside.store(false);
    if (s) struck++;
  }
  stop.store(true);
  interrupter.join();
  CORE_CHECK(c.breaks_outside.load() == 0);
  CORE_CHECK(c.breaks.load() == struck);
  CORE_CHECK(c.breaks.load() + c.idles.load() <= sent.load());
  int idles = c.idles.load();
  gate.interrupt();
  CORE_CHECK(c.idles.load() == idles + 1);
  gate.close();
  gate.interrupt();
  CORE_CHECK(c.breaks.load() == struck);
}

void test_repeated_interrupts_break_a_run_once() {
  Counts c;
  loom::InterruptGate gate(on_break, on_idle, &c);
  c.inside.store(true);
  gate.enter();
  gate.interrupt();
  gate.interrupt();
  CORE_CHECK(gate.leave());
  c.inside.store(false);
  CORE_CHECK(c.breaks.load() == 1 && c.idles.load() == 0);
  gate.enter();
  CORE_CHECK(!gate.leave());
}

void test_watch_delivers_signals() {
  struct sigaction ignore{};
  ignore.sa_handler = SIG_IGN;
  CORE_CHECK(sigaction(SIGINT, &ignore, nullptr) == 0);
  Counts c;
  loom::InterruptGate gate(on_break, on_idle, &c);
  {
    loom::SigintWatch watch(gate, getppid(), 50, on_orphan, on_replaced, &c);
    CORE_CHECK_THROWS(std::logic_error, loom::SigintWatch(gate, getppid(), 50, on_orphan, on_replaced, &c), (void)e);
    CORE_CHECK(kill(getpid(), SIGINT) == 0);
    CORE_CHECK(wait_for(c.idles, 1));
    c.inside.store(true);
    gate.enter();
    CORE_CHECK(kill(getpid(), SIGINT) == 0);
    CORE_CHECK(wait_for(c.breaks, 1));
    CORE_CHECK(gate.leave());
    c.inside.store(false);
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    CORE_CHECK(c.orphans.load() == 0);
    // Something else takes SIGINT (as Node does when its watchdog stops): the watch puts its
    // handler back, by itself within a check period, or at once when asked.
    struct sigaction other{};
    other.sa_handler = SIG_IGN;
    CORE_CHECK(sigaction(SIGINT, &other, nullptr) == 0);
    CORE_CHECK(wait_for(c.replaced, 1));
    CORE_CHECK(kill(getpid(), SIGINT) == 0);
    CORE_CHECK(wait_for(c.idles, 2));
    int replaced = c.replaced.load();
    CORE_CHECK(sigaction(SIGINT, &other, nullptr) == 0);
    // (The thread may get there first.)
    CORE_CHECK(watch.ensure_installed() || c.replaced.load() > replaced);
    CORE_CHECK(!watch.ensure_installed());
  }
  struct sigaction now{};
  CORE_CHECK(sigaction(SIGINT, nullptr, &now) == 0);
  CORE_CHECK(now.sa_handler == SIG_IGN);
  CORE_CHECK(c.breaks.load() == 1 && c.idles.load() == 2 && c.breaks_outside.load() == 0);
}

void test_watch_sees_an_orphan() {
  Counts c;
  loom::InterruptGate gate(on_break, on_idle, &c);
  // Our own pid is never our parent: the check fails at once.
  loom::SigintWatch watch(gate, getpid(), 10, on_orphan, on_replaced, &c);
  CORE_CHECK(wait_for(c.orphans, 2));
}

}  // namespace

int main() {
  test_gate_under_threads();
  test_repeated_interrupts_break_a_run_once();
  test_watch_delivers_signals();
  test_watch_sees_an_orphan();
  return 0;
}
