// Errors of the native core. The core never touches JavaScript: a failed
// syscall throws loom::SysError (errno, syscall name, path), and the binding
// turns it into a Node-style Error with code / errno / syscall / path.
#pragma once

#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace loom {

// A failed system call: what failed, on which name, and why (errno).
class SysError : public std::runtime_error {
 public:
  SysError(int err, std::string syscall, std::string path)
      : std::runtime_error(syscall + " '" + path + "' failed"),
        err_(err), syscall_(std::move(syscall)), path_(std::move(path)) {}
  int err() const noexcept { return err_; }
  const std::string& syscall() const noexcept { return syscall_; }
  const std::string& path() const noexcept { return path_; }

 private:
  int err_;
  std::string syscall_;
  std::string path_;
};

// A file or segment is shorter than the mapping asked for, and the mode does
// not allow it to grow ('r', or opening an existing segment).
class TooShortError : public std::runtime_error {
 public:
  TooShortError(std::string path, uint64_t needed, uint64_t actual)
      : std::runtime_error("'" + path + "' is " + std::to_string(actual) + " bytes long, the mapping needs " +
                           std::to_string(needed)),
        path_(std::move(path)), needed_(needed), actual_(actual) {}
  const std::string& path() const noexcept { return path_; }
  uint64_t needed() const noexcept { return needed_; }
  uint64_t actual() const noexcept { return actual_; }

 private:
  std::string path_;
  uint64_t needed_;
  uint64_t actual_;
};

}  // namespace loom
