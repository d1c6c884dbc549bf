// Memory mappings of POSIX shared-memory segments and of files.
//
// A Mapping owns one mmap(2) region; unmap() is idempotent and the destructor
// calls it. The byte range handed out (data(), size()) may start inside the
// first page: files are mapped from the page boundary below the requested
// offset, and data() points at the requested byte.
//
// Read-only mappings (file mode 'r', shm_open(..., readonly = true)) are
// MAP_PRIVATE with PROT_READ | PROT_WRITE: a write through them never faults
// and never reaches the file or segment; it lands in a private copy-on-write
// page of this process only (pages not written keep showing the file's
// contents). A PROT_READ mapping would turn such a write into SIGSEGV.
//
// SIGBUS remains possible if another process truncates a file or segment
// below a live mapping; nothing in user space can prevent that.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace loom {

// Julia's open modes: 'r' read-only; 'r+' existing file, read-write; 'w+'
// create or truncate; 'a+' create if missing, keep contents, grow as needed.
enum class FileMode { kRead, kReadWrite, kCreateTruncate, kAppend };

// Parses "r", "r+", "w+", "a+"; false for anything else.
bool parse_file_mode(const std::string& text, FileMode* mode);

class Mapping {
 public:
  enum class Kind { kShm, kFile };
  static constexpr size_t kWholeSegment = SIZE_MAX;

  Mapping() = default;
  ~Mapping() { unmap(); }
  Mapping(Mapping&& other) noexcept;
  Mapping& operator=(Mapping&& other) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  // A new segment (O_CREAT | O_EXCL, mode 0600) of `length` bytes, fully
  // allocated now (posix_fallocate) so a full /dev/shm fails here with ENOSPC
  // instead of raising SIGBUS on first touch. `name` has no leading '/'.
  static Mapping shm_create(const std::string& name, size_t length);
  // An existing segment; kWholeSegment maps all of it. A segment shorter than
  // `length` is a TooShortError.
  static Mapping shm_open(const std::string& name, size_t length, bool readonly);
  static void shm_unlink(const std::string& name);
  // "loom-<pid>-<12 hex digits>".
  static std::string shm_random_name();

  // `length` bytes of `path` starting at byte `offset` (any offset). A file
  // shorter than offset + length grows (ftruncate, then posix_fallocate for
  // the new part) in modes r+, w+, a+, and is a TooShortError in mode r.
  static Mapping map_file(const std::string& path, FileMode mode, uint64_t offset, size_t length);

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool readonly() const { return readonly_; }
  Kind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  bool mapped() const { return base_ != nullptr; }

  // msync(MS_SYNC) of a shared file mapping; nothing to do for segments and
  // private (read-only) mappings.
  void flush();
  void unmap() noexcept;

 private:
  static Mapping map_fd(int fd, Kind kind, const std::string& name, uint64_t offset, size_t length, bool readonly);

  void* base_ = nullptr;   // page-aligned start of the mmap region (nullptr for zero-length mappings)
  size_t mapped_length_ = 0;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool readonly_ = false;
  Kind kind_ = Kind::kShm;
  std::string name_;
};

}  // namespace loom
