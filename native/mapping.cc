// See mapping.h.
#include "mapping.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>
#include <utility>

#include "errors.h"

namespace loom {
namespace {

// Closes a descriptor when the scope ends (mmap keeps its own reference).
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

size_t page_size() {
  static const size_t size = size_t(sysconf(_SC_PAGESIZE));
  return size;
}

uint64_t file_size(int fd, const std::string& path) {
  struct stat st;
  if (fstat(fd, &st) != 0) throw SysError(errno, "fstat", path);
  if (S_ISDIR(st.st_mode)) throw SysError(EISDIR, "open", path);
  return uint64_t(st.st_size);
}

// Grows the file to `needed` bytes: ftruncate sets the size, posix_fallocate
// reserves the blocks of the new part so a full disk shows up now as ENOSPC,
// not later as SIGBUS. On failure the file gets its old size back.
void grow(int fd, const std::string& path, uint64_t old_size, uint64_t needed) {
  if (needed <= old_size) return;
  if (ftruncate(fd, off_t(needed)) != 0) throw SysError(errno, "ftruncate", path);
  int err = posix_fallocate(fd, off_t(old_size), off_t(needed - old_size));
  if (err != 0) {
    if (ftruncate(fd, off_t(old_size)) != 0) {
      // The size stays larger; the error below is the one that matters.
    }
    throw SysError(err, "posix_fallocate", path);
  }
}

std::string shm_path(const std::string& name) { return "/" + name; }

}  // namespace

bool parse_file_mode(const std::string& text, FileMode* mode) {
  if (text == "r") *mode = FileMode::kRead;
  else if (text == "r+") *mode = FileMode::kReadWrite;
  else if (text == "w+") *mode = FileMode::kCreateTruncate;
  else if (text == "a+") *mode = FileMode::kAppend;
  else return false;
  return true;
}

Mapping::Mapping(Mapping&& other) noexcept { *this = std::move(other); }

Mapping& Mapping::operator=(Mapping&& other) noexcept {
  if (this != &other) {
    unmap();
    base_ = std::exchange(other.base_, nullptr);
    mapped_length_ = std::exchange(other.mapped_length_, 0);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    readonly_ = other.readonly_;
    kind_ = other.kind_;
    name_ = std::move(other.name_);
  }
  return *this;
}

void Mapping::unmap() noexcept {
  if (base_ != nullptr) munmap(base_, mapped_length_);
  base_ = nullptr;
  mapped_length_ = 0;
  data_ = nullptr;
  size_ = 0;
}

void Mapping::flush() {
  if (base_ == nullptr || kind_ != Kind::kFile || readonly_) return;
  if (msync(base_, mapped_length_, MS_SYNC) != 0) throw SysError(errno, "msync", name_);
}

std::string Mapping::shm_random_name() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[64];
  std::snprintf(buf, sizeof buf, "loom-%d-%012llx", int(getpid()),
                static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
  return buf;
}

Mapping Mapping::shm_create(const std::string& name, size_t length) {
  Fd fd{::shm_open(shm_path(name).c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
  if (fd.fd < 0) throw SysError(errno, "shm_open", name);
  try {
    grow(fd.fd, name, 0, length);
    return map_fd(fd.fd, Kind::kShm, name, 0, length, false);
  } catch (...) {
    ::shm_unlink(shm_path(name).c_str());  // we created it: do not leave it behind
    throw;
  }
}

Mapping Mapping::shm_open(const std::string& name, size_t length, bool readonly) {
  Fd fd{::shm_open(shm_path(name).c_str(), (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC, 0)};
  if (fd.fd < 0) throw SysError(errno, "shm_open", name);
  const uint64_t size = file_size(fd.fd, name);
  if (length == kWholeSegment) length = size_t(size);
  if (size < length) throw TooShortError(name, length, size);
  return map_fd(fd.fd, Kind::kShm, name, 0, length, readonly);
}

void Mapping::shm_unlink(const std::string& name) {
  if (::shm_unlink(shm_path(name).c_str()) != 0) throw SysError(errno, "shm_unlink", name);
}

Mapping Mapping::map_file(const std::string& path, FileMode mode, uint64_t offset, size_t length) {
  int flags = O_CLOEXEC;
  switch (mode) {
    case FileMode::kRead: flags |= O_RDONLY; break;
    case FileMode::kReadWrite: flags |= O_RDWR; break;
    case FileMode::kCreateTruncate: flags |= O_RDWR | O_CREAT | O_TRUNC; break;
    case FileMode::kAppend: flags |= O_RDWR | O_CREAT; break;
  }
  Fd fd{::open(path.c_str(), flags, 0666)};
  if (fd.fd < 0) throw SysError(errno, "open", path);
  const uint64_t size = file_size(fd.fd, path);
  const uint64_t needed = offset + length;
  if (needed < offset) throw SysError(EOVERFLOW, "mmap", path);
  if (size < needed) {
    if (mode == FileMode::kRead) throw TooShortError(path, needed, size);
    grow(fd.fd, path, size, needed);
  }
  return map_fd(fd.fd, Kind::kFile, path, offset, length, mode == FileMode::kRead);
}

Mapping Mapping::map_fd(int fd, Kind kind, const std::string& name, uint64_t offset, size_t length, bool readonly) {
  Mapping m;
  m.readonly_ = readonly;
  m.kind_ = kind;
  m.name_ = name;
  // Zero-length mappings are legal in loom but not in mmap: no region at all.
  if (length == 0) return m;
  const uint64_t aligned = offset & ~uint64_t(page_size() - 1);
  const size_t delta = size_t(offset - aligned);
  // Read-only mappings are private copy-on-write (see mapping.h).
  void* base = mmap(nullptr, length + delta, PROT_READ | PROT_WRITE, readonly ? MAP_PRIVATE : MAP_SHARED, fd,
                    off_t(aligned));
  if (base == MAP_FAILED) throw SysError(errno, "mmap", name);
  m.base_ = base;
  m.mapped_length_ = length + delta;
  m.data_ = static_cast<uint8_t*>(base) + delta;
  m.size_ = length;
  return m;
}

}  // namespace loom
