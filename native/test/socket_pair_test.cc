// The socket pair core without Node: both ends are close-on-exec, bytes go
// both ways, a dup2 onto another number (what spawn does for the child) drops
// the flag on the copy only, and closing one end is end-of-stream at the other.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "core_check.h"
#include "socket_pair.h"

namespace {

bool cloexec(int fd) {
  int flags = fcntl(fd, F_GETFD);
  CORE_CHECK(flags >= 0);
  return (flags & FD_CLOEXEC) != 0;
}

void test_both_ends_cloexec_and_connected() {
  loom::SocketPair p = loom::socket_pair();
  CORE_CHECK(p.fds[0] >= 0 && p.fds[1] >= 0 && p.fds[0] != p.fds[1]);
  CORE_CHECK(cloexec(p.fds[0]) && cloexec(p.fds[1]));
  int type = 0;
  socklen_t len = sizeof type;
  CORE_CHECK(getsockopt(p.fds[0], SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM);
  CORE_CHECK(write(p.fds[0], "ping", 4) == 4);
  char buf[8] = {};
  CORE_CHECK(read(p.fds[1], buf, sizeof buf) == 4 && std::memcmp(buf, "ping", 4) == 0);
  CORE_CHECK(write(p.fds[1], "pong", 4) == 4);
  CORE_CHECK(read(p.fds[0], buf, sizeof buf) == 4 && std::memcmp(buf, "pong", 4) == 0);
  int copy = dup2(p.fds[1], 100);
  CORE_CHECK(copy == 100 && !cloexec(copy) && cloexec(p.fds[1]));
  close(p.fds[1]);
  close(copy);
  CORE_CHECK(read(p.fds[0], buf, sizeof buf) == 0);
  close(p.fds[0]);
}

}  // namespace

int main() {
  test_both_ends_cloexec_and_connected();
  return 0;
}
