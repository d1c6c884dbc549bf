#include "socket_pair.h"

#include <sys/socket.h>

#include <cerrno>

#include "errors.h"

namespace loom {

SocketPair socket_pair() {
  SocketPair pair{{-1, -1}};
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair.fds) != 0) throw SysError(errno, "socketpair", "");
  return pair;
}

}  // namespace loom
