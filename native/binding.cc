// The thin Node-API binding: validates nothing (lib/native.ts does), converts
// values, and calls the plain C++ core (mapping.h, futex.h, ring.h).
//
// State is per environment (main thread and each worker thread get their own
// AddonData), torn down by an environment cleanup hook, so the addon is safe
// in worker_threads and at exit.
#include <napi.h>
#include <uv.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "errors.h"
#include "futex.h"
#include "mapping.h"
#include "socket_pair.h"

// Defined by native/ring_binding.cc when it is linked in.
void InitRing(Napi::Env env, Napi::Object exports) __attribute__((weak));

namespace {

constexpr int kAbiVersion = 2;

// One mapping as JavaScript sees it. Unmapped once it was released (explicit
// close, or its ArrayBuffer collected / its environment torn down) and no
// async futex wait still sleeps on a word inside it.
struct Region {
  loom::Mapping mapping;
  int pins = 0;
  bool released = false;

  void release() {
    released = true;
    settle();
  }
  void unpin() {
    pins--;
    settle();
  }
  void settle() {
    if (released && pins == 0) mapping.unmap();
  }
};
using RegionPtr = std::shared_ptr<Region>;

// Everything an async futex wait keeps on the JS thread until it settles.
struct PendingWait {
  Napi::Promise::Deferred deferred;
  Napi::ObjectReference view;  // keeps the view, hence its memory, from being collected
  RegionPtr pinned;                     // keeps an explicit close() from unmapping it
};

// What a waiter thread hands to the JS thread: plain data only.
struct Completion {
  uint64_t token;
  loom::futex::WaitResult result;
  int error;  // errno of a failed futex_waitv, or 0
};

struct AddonData;
void DeliverCompletion(Napi::Env env, Napi::Function, AddonData* data, Completion* completion);
using CompletionQueue = Napi::TypedThreadSafeFunction<AddonData, Completion, DeliverCompletion>;

struct AddonData {
  // Mapped regions by the address of their first byte, to pin them for waits.
  // Entries of unmapped regions are swept when the table doubles.
  std::unordered_map<const void*, std::weak_ptr<Region>> regions;
  size_t sweep_at = 64;

  void AddRegion(const RegionPtr& region) {
    if (regions.size() >= sweep_at) {
      for (auto it = regions.begin(); it != regions.end();) {
        RegionPtr r = it->second.lock();
        if (!r || !r->mapping.mapped()) it = regions.erase(it);
        else ++it;
      }
      sweep_at = std::max<size_t>(64, regions.size() * 2);
    }
    regions[region->mapping.data()] = region;
  }

  // Async futex machinery, created on the first async wait.
  std::unique_ptr<loom::futex::WaitSet> waits;
  CompletionQueue queue;
  bool queue_referenced = false;
  bool torn_down = false;
  std::unordered_map<uint64_t, PendingWait> pending;

  void StopWaits() {
    if (waits) waits->stop();  // joins: no waiter thread touches `queue` after this
    for (auto& p : pending) {
      if (p.second.pinned) p.second.pinned->unpin();
    }
    pending.clear();
    if (queue) {
      queue.Abort();
      queue = CompletionQueue();
    }
    torn_down = true;
  }

  ~AddonData() { StopWaits(); }

  RegionPtr FindRegion(const void* start) {
    auto it = regions.find(start);
    if (it == regions.end()) return nullptr;
    RegionPtr r = it->second.lock();
    if (!r || !r->mapping.mapped() || r->mapping.data() != start) {
      regions.erase(it);
      return nullptr;
    }
    return r;
  }

  void UpdateQueueRef(Napi::Env env) {
    const bool want = !pending.empty();
    if (want == queue_referenced || !queue) return;
    // A pending wait keeps the process alive, as a pending timer would.
    if (want) queue.Ref(env);
    else queue.Unref(env);
    queue_referenced = want;
  }
};

AddonData* Data(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

// ---- errors -----------------------------------------------------------------

Napi::Error ToJsError(Napi::Env env, const loom::SysError& e) {
  const char* code = uv_err_name(-e.err());
  std::string message = std::string(code) + ": " + uv_strerror(-e.err()) + ", " + e.syscall();
  if (!e.path().empty()) message += " '" + e.path() + "'";
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("errno", Napi::Number::New(env, -e.err()));
  error.Set("code", Napi::String::New(env, code));
  error.Set("syscall", Napi::String::New(env, e.syscall()));
  if (!e.path().empty()) error.Set("path", Napi::String::New(env, e.path()));
  return error;
}

Napi::Error ToJsError(Napi::Env env, const loom::TooShortError& e) {
  Napi::Error error = Napi::Error::New(env, e.what());
  error.Set("code", Napi::String::New(env, "ERR_LOOM_FILE_TOO_SHORT"));
  error.Set("path", Napi::String::New(env, e.path()));
  error.Set("needed", Napi::Number::New(env, double(e.needed())));
  error.Set("actual", Napi::Number::New(env, double(e.actual())));
  return error;
}

// Runs a binding body, turning core exceptions into JS exceptions.
template <typename Body>
Napi::Value Guard(const Napi::CallbackInfo& info, Body body) {
  Napi::Env env = info.Env();
  try {
    return body(env);
  } catch (const loom::SysError& e) {
    throw ToJsError(env, e);
  } catch (const loom::TooShortError& e) {
    throw ToJsError(env, e);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

// ---- mapping ----------------------------------------------------------------

void FinalizeBuffer(Napi::Env, void*, RegionPtr* region) {
  (*region)->release();
  delete region;
}

// { buffer, handle, kind, name, readonly } for lib/native.ts's Mapping class.
Napi::Object WrapMapping(Napi::Env env, loom::Mapping mapping) {
  auto region = std::make_shared<Region>();
  region->mapping = std::move(mapping);
  const loom::Mapping& m = region->mapping;
  Napi::ArrayBuffer buffer;
  if (m.size() == 0) {
    buffer = Napi::ArrayBuffer::New(env, 0);
  } else {
    auto* hint = new RegionPtr(region);
    try {
      buffer = Napi::ArrayBuffer::New(env, m.data(), m.size(), FinalizeBuffer, hint);
    } catch (...) {
      delete hint;
      throw;
    }
    Data(env)->AddRegion(region);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("buffer", buffer);
  result.Set("handle", Napi::External<RegionPtr>::New(env, new RegionPtr(region),
                                                      [](Napi::Env, RegionPtr* r) { delete r; }));
  result.Set("kind", Napi::String::New(env, m.kind() == loom::Mapping::Kind::kShm ? "shm" : "file"));
  result.Set("name", Napi::String::New(env, m.name()));
  result.Set("readonly", Napi::Boolean::New(env, m.readonly()));
  return result;
}

uint64_t ToU64(const Napi::Value& v) { return uint64_t(v.As<Napi::Number>().DoubleValue()); }

Napi::Value ShmCreate(const Napi::CallbackInfo& info) {
  return Guard(info, [&](Napi::Env env) {
    return WrapMapping(env, loom::Mapping::shm_create(info[0].As<Napi::String>(), size_t(ToU64(info[1]))));
  });
}

Napi::Value ShmOpen(const Napi::CallbackInfo& info) {
  return Guard(info, [&](Napi::Env env) {
    const double length = info[1].As<Napi::Number>().DoubleValue();
    return WrapMapping(env, loom::Mapping::shm_open(info[0].As<Napi::String>(),
                                                    length < 0 ? loom::Mapping::kWholeSegment : size_t(length),
                                                    info[2].As<Napi::Boolean>()));
  });
}

Napi::Value ShmUnlink(const Napi::CallbackInfo& info) {
  return Guard(info, [&](Napi::Env env) {
    loom::Mapping::shm_unlink(info[0].As<Napi::String>());
    return env.Undefined();
  });
}

Napi::Value ShmName(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), loom::Mapping::shm_random_name());
}

Napi::Value MapFile(const Napi::CallbackInfo& info) {
  return Guard(info, [&](Napi::Env env) {
    loom::FileMode mode;
    if (!loom::parse_file_mode(info[1].As<Napi::String>(), &mode)) {
      throw Napi::TypeError::New(env, "mode must be 'r', 'r+', 'w+' or 'a+'");
    }
    return WrapMapping(env, loom::Mapping::map_file(info[0].As<Napi::String>(), mode, ToU64(info[2]),
                                                    size_t(ToU64(info[3]))));
  });
}

Napi::Value MappingFlush(const Napi::CallbackInfo& info) {
  return Guard(info, [&](Napi::Env env) {
    Region& r = **info[0].As<Napi::External<RegionPtr>>().Data();
    if (!r.released) r.mapping.flush();
    return env.Undefined();
  });
}

// Detaches the buffer first (every view becomes length 0, so nothing can
// touch the memory), then unmaps. Idempotent, and safe after the finalizer.
Napi::Value MappingClose(const Napi::CallbackInfo& info) {
  return Guard(info, [&](Napi::Env env) {
    Region& r = **info[0].As<Napi::External<RegionPtr>>().Data();
    Napi::ArrayBuffer buffer = info[1].As<Napi::ArrayBuffer>();
    if (!buffer.IsDetached()) buffer.Detach();
    r.release();
    return env.Undefined();
  });
}

// ---- futex ------------------------------------------------------------------

const int32_t* Word(Napi::Env env, const Napi::Value& view_value, const Napi::Value& index_value) {
  auto view = view_value.As<Napi::TypedArrayOf<int32_t>>();
  const size_t index = size_t(index_value.As<Napi::Number>().DoubleValue());
  if (index >= view.ElementLength()) throw Napi::RangeError::New(env, "index is out of range of the view");
  return view.Data() + index;
}

double Seconds(const Napi::Value& v) { return v.As<Napi::Number>().DoubleValue(); }

void DeliverCompletion(Napi::Env env, Napi::Function, AddonData* data, Completion* completion) {
  std::unique_ptr<Completion> owned(completion);
  if (env == nullptr || data == nullptr || data->torn_down) return;
  auto it = data->pending.find(completion->token);
  if (it == data->pending.end()) return;
  PendingWait wait = std::move(it->second);
  data->pending.erase(it);
  if (wait.pinned) wait.pinned->unpin();
  data->UpdateQueueRef(env);
  if (completion->error != 0) {
    wait.deferred.Reject(ToJsError(env, loom::SysError(completion->error, "futex_waitv", "")).Value());
    return;
  }
  wait.deferred.Resolve(Napi::Number::New(env, int(completion->result)));
}

void EnsureWaitSet(Napi::Env env, AddonData* data) {
  if (data->waits) return;
  data->queue = CompletionQueue::New(env, "loom.futexWait", 0, 1, data);
  data->queue.Unref(env);
  // Registered after the queue's own cleanup hook, so it runs before it
  // (hooks run in reverse order): the waiter threads stop before the queue goes.
  napi_add_env_cleanup_hook(
      env, [](void* arg) { static_cast<AddonData*>(arg)->StopWaits(); }, data);
  data->waits = std::make_unique<loom::futex::WaitSet>([data](uint64_t token, loom::futex::WaitResult result, int error) {
    // On a waiter thread: plain data only; the JS side runs in DeliverCompletion.
    data->queue.NonBlockingCall(new Completion{token, result, error});
  });
}

// futexWait(view, index, expected, timeoutSeconds (<0: none), spinMicroseconds, token) -> Promise<number>
Napi::Value FutexWait(const Napi::CallbackInfo& info) {
  return Guard(info, [&](Napi::Env env) -> Napi::Value {
    const int32_t* word = Word(env, info[0], info[1]);
    const int32_t expected = info[2].As<Napi::Number>().Int32Value();
    const double timeout = Seconds(info[3]);
    const double spin = info[4].As<Napi::Number>().DoubleValue();
    const uint64_t token = ToU64(info[5]);
    auto settled = [&](loom::futex::WaitResult r) {
      auto deferred = Napi::Promise::Deferred::New(env);
      deferred.Resolve(Napi::Number::New(env, int(r)));
      return deferred.Promise();
    };
    if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != expected) return settled(loom::futex::WaitResult::kNotEqual);
    if (spin > 0 && loom::futex::spin_until_changed(word, expected, spin)) return settled(loom::futex::WaitResult::kOk);
    if (timeout == 0) return settled(loom::futex::WaitResult::kTimedOut);

    AddonData* data = Data(env);
    if (data->torn_down) throw Napi::Error::New(env, "the environment is shutting down");
    EnsureWaitSet(env, data);
    // The view, not its buffer: napi_get_arraybuffer_info rejects a
    // SharedArrayBuffer. A mapping's region starts at the buffer's first byte.
    auto view = info[0].As<Napi::TypedArrayOf<int32_t>>();
    const uint8_t* start = reinterpret_cast<const uint8_t*>(view.Data()) - view.ByteOffset();
    RegionPtr region = data->FindRegion(start);
    PendingWait wait{Napi::Promise::Deferred::New(env), Napi::Persistent(info[0].As<Napi::Object>()), region};
    Napi::Promise promise = wait.deferred.Promise();
    if (region) region->pins++;
    data->pending.emplace(token, std::move(wait));
    try {
      data->waits->add(token, word, expected, timeout);
    } catch (...) {
      data->pending.erase(token);
      if (region) region->unpin();
      throw;
    }
    data->UpdateQueueRef(env);
    return promise;
  });
}

// futexCancel(token) -> boolean: settles the wait with 3 ("cancelled") if it was still asleep.
Napi::Value FutexCancel(const Napi::CallbackInfo& info) {
  return Guard(info, [&](Napi::Env env) -> Napi::Value {
    AddonData* data = Data(env);
    const uint64_t token = ToU64(info[0]);
    if (!data->waits || !data->waits->cancel(token)) return Napi::Boolean::New(env, false);
    DeliverCompletion(env, Napi::Function(), data, new Completion{token, loom::futex::WaitResult(3), 0});
    return Napi::Boolean::New(env, true);
  });
}

// futexWaitSync(view, index, expected, timeoutSeconds (<0: none), spinMicroseconds) -> number
Napi::Value FutexWaitSync(const Napi::CallbackInfo& info) {
  return Guard(info, [&](Napi::Env env) -> Napi::Value {
    const int32_t* word = Word(env, info[0], info[1]);
    const int32_t expected = info[2].As<Napi::Number>().Int32Value();
    const double timeout = Seconds(info[3]);
    const double spin = info[4].As<Napi::Number>().DoubleValue();
    auto r = spin > 0 ? loom::futex::spin_wait(word, expected, timeout, spin) : loom::futex::wait(word, expected, timeout);
    return Napi::Number::New(env, int(r));
  });
}

// futexWake(view, index, count) -> number woken
Napi::Value FutexWake(const Napi::CallbackInfo& info) {
  return Guard(info, [&](Napi::Env env) -> Napi::Value {
    const int32_t* word = Word(env, info[0], info[1]);
    const double count = info[2].As<Napi::Number>().DoubleValue();
    return Napi::Number::New(env, loom::futex::wake(word, count >= INT32_MAX ? INT32_MAX : int(count)));
  });
}

// futexStats() -> { pending, threads }: how many async waits sleep, on how many threads.
Napi::Value FutexStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonData* data = Data(env);
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("pending", Napi::Number::New(env, double(data->pending.size())));
  stats.Set("threads", Napi::Number::New(env, data->waits ? double(data->waits->threads()) : 0));
  return stats;
}

// ---- socket pair ------------------------------------------------------------

Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  return Guard(info, [&](Napi::Env env) -> Napi::Value {
    loom::SocketPair pair = loom::socket_pair();
    Napi::Array fds = Napi::Array::New(env, 2);
    fds.Set(uint32_t(0), Napi::Number::New(env, pair.fds[0]));
    fds.Set(uint32_t(1), Napi::Number::New(env, pair.fds[1]));
    return fds;
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData());
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("shmCreate", Napi::Function::New(env, ShmCreate, "shmCreate"));
  exports.Set("shmOpen", Napi::Function::New(env, ShmOpen, "shmOpen"));
  exports.Set("shmUnlink", Napi::Function::New(env, ShmUnlink, "shmUnlink"));
  exports.Set("shmName", Napi::Function::New(env, ShmName, "shmName"));
  exports.Set("mapFile", Napi::Function::New(env, MapFile, "mapFile"));
  exports.Set("mappingFlush", Napi::Function::New(env, MappingFlush, "mappingFlush"));
  exports.Set("mappingClose", Napi::Function::New(env, MappingClose, "mappingClose"));
  exports.Set("futexWait", Napi::Function::New(env, FutexWait, "futexWait"));
  exports.Set("futexCancel", Napi::Function::New(env, FutexCancel, "futexCancel"));
  exports.Set("futexWaitSync", Napi::Function::New(env, FutexWaitSync, "futexWaitSync"));
  exports.Set("futexWake", Napi::Function::New(env, FutexWake, "futexWake"));
  exports.Set("futexStats", Napi::Function::New(env, FutexStats, "futexStats"));
  exports.Set("socketPair", Napi::Function::New(env, SocketPair, "socketPair"));
  if (InitRing != nullptr) InitRing(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(loom, Init)
