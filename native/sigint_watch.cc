#include "sigint_watch.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "errors.h"

namespace loom {

namespace {

// The write end of the live watch's pipe; -1 when none. Read by the signal handler.
std::atomic<int> g_signal_fd{-1};
struct sigaction g_previous;

constexpr char kSignalByte = 1;
constexpr char kStopByte = 0;

void on_sigint(int);

struct sigaction handler_action() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  return action;
}

void on_sigint(int) {
  int saved = errno;
  int fd = g_signal_fd.load(std::memory_order_relaxed);
  if (fd >= 0) {
    // Non-blocking: if the pipe is full, interrupts are already waiting to be read.
    ssize_t ignored = ::write(fd, &kSignalByte, 1);
    (void)ignored;
  }
  errno = saved;
}

}  // namespace

SigintWatch::SigintWatch(InterruptGate& gate, pid_t parent, int orphan_check_ms, Hook on_orphan, Hook on_replaced,
                         void* data)
    : gate_(gate),
      parent_(parent),
      orphan_check_ms_(orphan_check_ms),
      on_orphan_(on_orphan),
      on_replaced_(on_replaced),
      data_(data) {
  if (g_signal_fd.load() >= 0) throw std::logic_error("a SIGINT watch is already running in this process");
  if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) throw SysError(errno, "pipe2", "sigint watch");
  g_signal_fd.store(pipe_[1]);
  struct sigaction action = handler_action();
  if (::sigaction(SIGINT, &action, &g_previous) != 0) {
    int err = errno;
    g_signal_fd.store(-1);
    ::close(pipe_[0]);
    ::close(pipe_[1]);
    throw SysError(err, "sigaction", "SIGINT");
  }
  try {
    thread_ = std::thread([this] { loop(); });
  } catch (...) {
    ::sigaction(SIGINT, &g_previous, nullptr);
    g_signal_fd.store(-1);
    ::close(pipe_[0]);
    ::close(pipe_[1]);
    throw;
  }
}

bool SigintWatch::ensure_installed() {
  struct sigaction current;
  if (::sigaction(SIGINT, nullptr, &current) != 0 || current.sa_handler == on_sigint) return false;
  struct sigaction action = handler_action();
  ::sigaction(SIGINT, &action, nullptr);
  return true;
}

SigintWatch::~SigintWatch() {
  ::sigaction(SIGINT, &g_previous, nullptr);
  g_signal_fd.store(-1);
  ssize_t ignored = ::write(pipe_[1], &kStopByte, 1);
  (void)ignored;
  thread_.join();
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

void SigintWatch::loop() {
  // The thread takes no signal itself: SIGINT must run its handler on whichever thread, and
  // nothing here is safe to interrupt mid-way, so block everything on this one.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  pollfd p{pipe_[0], POLLIN, 0};
  for (;;) {
    int r = ::poll(&p, 1, orphan_check_ms_);
    if (r < 0 && errno != EINTR) return;
    if (r > 0) {
      char bytes[64];
      ssize_t n = ::read(pipe_[0], bytes, sizeof bytes);
      for (ssize_t i = 0; i < n; i++) {
        if (bytes[i] == kStopByte) return;
        gate_.interrupt();
      }
    }
    if (parent_ > 0 && ::getppid() != parent_) on_orphan_(data_);
    if (ensure_installed()) on_replaced_(data_);
  }
}

}  // namespace loom
