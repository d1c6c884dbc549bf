// A connected pair of Unix stream sockets for a parent and the child it
// spawns (process 1 and a local worker): both descriptors close-on-exec, so
// neither end leaks into a process spawned meanwhile; spawn's dup2 onto the
// child's descriptor number clears the flag on the copy the child keeps.
#pragma once

namespace loom {

struct SocketPair {
  int fds[2];
};

// socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC); throws SysError on failure.
SocketPair socket_pair();

}  // namespace loom
