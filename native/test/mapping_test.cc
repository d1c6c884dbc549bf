// The mapping core without Node: shm segments (create / open / unlink and
// their errors), every file mode with growth and non-aligned offsets, the
// read-only (private copy-on-write) guarantee, zero-length mappings, and
// idempotent unmapping.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "core_check.h"
#include "errors.h"
#include "mapping.h"

using loom::FileMode;
using loom::Mapping;

namespace {

std::string g_dir;

std::string temp_path(const char* name) { return g_dir + "/" + name; }

uint64_t size_of(const std::string& path) {
  struct stat st;
  CORE_CHECK(stat(path.c_str(), &st) == 0);
  return uint64_t(st.st_size);
}

std::vector<uint8_t> read_at(const std::string& path, uint64_t offset, size_t n) {
  std::vector<uint8_t> out(n);
  int fd = open(path.c_str(), O_RDONLY);
  CORE_CHECK(fd >= 0);
  CORE_CHECK(pread(fd, out.data(), n, off_t(offset)) == ssize_t(n));
  close(fd);
  return out;
}

void write_file(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  CORE_CHECK(fd >= 0);
  CORE_CHECK(write(fd, text.data(), text.size()) == ssize_t(text.size()));
  close(fd);
}

void shm_lifecycle() {
  const std::string name = Mapping::shm_random_name();
  CORE_CHECK(name.rfind("loom-" + std::to_string(getpid()) + "-", 0) == 0);
  Mapping a = Mapping::shm_create(name, 10000);
  CORE_CHECK(a.size() == 10000 && a.kind() == Mapping::Kind::kShm && !a.readonly());
  std::memcpy(a.data() + 9000, "hello", 5);

  CORE_CHECK_THROWS(loom::SysError, Mapping::shm_create(name, 10), {
    CORE_CHECK(e.err() == EEXIST);
    CORE_CHECK(e.syscall() == "shm_open");
    CORE_CHECK(e.path() == name);
  });

  Mapping b = Mapping::shm_open(name, Mapping::kWholeSegment, false);
  CORE_CHECK(b.size() == 10000);
  CORE_CHECK(std::memcmp(b.data() + 9000, "hello", 5) == 0);
  b.data()[0] = 42;
  CORE_CHECK(a.data()[0] == 42);  // shared both ways

  // Read-only: writes stay private, the segment does not change.
  Mapping ro = Mapping::shm_open(name, 100, true);
  CORE_CHECK(ro.readonly() && ro.size() == 100 && ro.data()[0] == 42);
  ro.data()[0] = 7;
  CORE_CHECK(a.data()[0] == 42 && ro.data()[0] == 7);

  CORE_CHECK_THROWS(loom::TooShortError, Mapping::shm_open(name, 10001, false), {
    CORE_CHECK(e.needed() == 10001 && e.actual() == 10000 && e.path() == name);
  });

  Mapping::shm_unlink(name);
  CORE_CHECK_THROWS(loom::SysError, Mapping::shm_open(name, 1, false), {
    CORE_CHECK(e.err() == ENOENT && e.syscall() == "shm_open" && e.path() == name);
  });
  CORE_CHECK_THROWS(loom::SysError, Mapping::shm_unlink(name), {
    CORE_CHECK(e.err() == ENOENT && e.syscall() == "shm_unlink");
  });
  // Still mapped after the unlink.
  CORE_CHECK(std::memcmp(a.data() + 9000, "hello", 5) == 0);

  // Zero-length segment.
  const std::string empty = Mapping::shm_random_name();
  Mapping z = Mapping::shm_create(empty, 0);
  CORE_CHECK(z.size() == 0 && z.data() == nullptr);
  Mapping z2 = Mapping::shm_open(empty, Mapping::kWholeSegment, false);
  CORE_CHECK(z2.size() == 0);
  Mapping::shm_unlink(empty);
}

void file_modes() {
  const std::string f = temp_path("modes.bin");
  CORE_CHECK_THROWS(loom::SysError, Mapping::map_file(f, FileMode::kReadWrite, 0, 10), {
    CORE_CHECK(e.err() == ENOENT && e.syscall() == "open" && e.path() == f);
  });
  CORE_CHECK_THROWS(loom::SysError, Mapping::map_file(f, FileMode::kRead, 0, 10), { CORE_CHECK(e.err() == ENOENT); });

  // w+ creates, grows to offset + length, the offset is not page-aligned.
  {
    Mapping m = Mapping::map_file(f, FileMode::kCreateTruncate, 5003, 100);
    CORE_CHECK(size_of(f) == 5103 && m.size() == 100 && m.kind() == Mapping::Kind::kFile);
    std::memcpy(m.data(), "abc", 3);
    m.data()[99] = 'z';
    m.flush();
  }
  CORE_CHECK(read_at(f, 5003, 3) == std::vector<uint8_t>({'a', 'b', 'c'}));
  CORE_CHECK(read_at(f, 5102, 1)[0] == 'z');

  // r+ keeps the contents and grows.
  {
    Mapping m = Mapping::map_file(f, FileMode::kReadWrite, 5003, 8192);
    CORE_CHECK(size_of(f) == 5003 + 8192);
    CORE_CHECK(std::memcmp(m.data(), "abc", 3) == 0);
    m.data()[8191] = 'q';
  }
  CORE_CHECK(read_at(f, 5003 + 8191, 1)[0] == 'q');

  // a+ keeps the contents, grows, and creates a missing file.
  {
    Mapping m = Mapping::map_file(f, FileMode::kAppend, 1, 20000);
    CORE_CHECK(size_of(f) == 20001);
    CORE_CHECK(std::memcmp(m.data() + 5002, "abc", 3) == 0);
    const std::string g = temp_path("append-new.bin");
    Mapping n = Mapping::map_file(g, FileMode::kAppend, 4096, 10);
    CORE_CHECK(size_of(g) == 4106);
  }

  // r: too short is an error naming both sizes; the file is not touched.
  CORE_CHECK_THROWS(loom::TooShortError, Mapping::map_file(f, FileMode::kRead, 20000, 2), {
    CORE_CHECK(e.needed() == 20002 && e.actual() == 20001 && e.path() == f);
  });
  CORE_CHECK(size_of(f) == 20001);

  // r: writes land in a private copy and never reach the file.
  {
    Mapping m = Mapping::map_file(f, FileMode::kRead, 5003, 3);
    CORE_CHECK(m.readonly());
    CORE_CHECK(std::memcmp(m.data(), "abc", 3) == 0);
    m.data()[0] = 'X';
    m.flush();
    CORE_CHECK(m.data()[0] == 'X');
  }
  CORE_CHECK(read_at(f, 5003, 1)[0] == 'a');

  // w+ truncates.
  {
    Mapping m = Mapping::map_file(f, FileMode::kCreateTruncate, 0, 4);
    CORE_CHECK(size_of(f) == 4 && m.data()[0] == 0);
  }

  // Zero-length mappings, in every mode.
  write_file(f, "0123456789");
  for (FileMode mode : {FileMode::kRead, FileMode::kReadWrite, FileMode::kAppend}) {
    Mapping m = Mapping::map_file(f, mode, 3, 0);
    CORE_CHECK(m.size() == 0 && m.data() == nullptr);
  }
  CORE_CHECK(size_of(f) == 10);

  // A directory is EISDIR, not a crash.
  CORE_CHECK_THROWS(loom::SysError, Mapping::map_file(g_dir, FileMode::kRead, 0, 1), { CORE_CHECK(e.err() == EISDIR); });

  FileMode mode;
  CORE_CHECK(loom::parse_file_mode("a+", &mode) && mode == FileMode::kAppend);
  CORE_CHECK(!loom::parse_file_mode("w", &mode));
}

void unmap_is_idempotent() {
  const std::string f = temp_path("unmap.bin");
  Mapping m = Mapping::map_file(f, FileMode::kCreateTruncate, 0, 4096);
  m.unmap();
  CORE_CHECK(!m.mapped() && m.size() == 0);
  m.unmap();
  Mapping moved = Mapping::map_file(f, FileMode::kReadWrite, 0, 4096);
  Mapping target = std::move(moved);
  CORE_CHECK(target.mapped() && !moved.mapped());
  target = Mapping();
  CORE_CHECK(!target.mapped());
}

}  // namespace

int main() {
  char tmpl[] = "/tmp/loom-mapping-test-XXXXXX";
  CORE_CHECK(mkdtemp(tmpl) != nullptr);
  g_dir = tmpl;
  shm_lifecycle();
  file_modes();
  unmap_is_idempotent();
  std::string cmd = "rm -rf '" + g_dir + "'";
  CORE_CHECK(std::system(cmd.c_str()) == 0);
  std::puts("mapping_test: ok");
  return 0;
}
