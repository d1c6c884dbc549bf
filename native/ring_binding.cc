// The thin Node-API binding of the ring (native/ring.h). lib/shared/ring.ts
// validates every argument; here each call takes a Uint8Array over the
// ring's bytes (mapped memory or a SharedArrayBuffer), re-attaches (cheap:
// a few header loads), and returns a plain number:
//   >= 0  success (tryPop: the message length; batches: how many moved)
//   -1    would block (full / empty)       -2  closed (pop: closed and drained)
//   -3    message larger than the slot / output too small
//   -10-k attach error k (ring::AttachError): bad magic, version, geometry,
//         too few bytes (e.g. the mapping was closed: its views are empty)
// Taking the view on every call, instead of caching a pointer, is what keeps
// a call after Mapping.close() from touching unmapped memory.
#include <napi.h>

#include "ring.h"

namespace {

using loom::ring::AttachError;
using loom::ring::Ring;
using loom::ring::Status;

constexpr double kAttachBase = -10;

double status_code(Status s) {
  switch (s) {
    case Status::ok: return 0;
    case Status::would_block: return -1;
    case Status::closed: return -2;
    case Status::too_large: return -3;
    case Status::timed_out: return -4;
  }
  return -5;
}

// On failure returns false and sets *code to the number to hand back.
bool attach(const Napi::Value& v, Ring* ring, double* code) {
  Napi::Uint8Array bytes = v.As<Napi::Uint8Array>();
  const AttachError e = Ring::attach(bytes.Data(), bytes.ByteLength(), ring);
  if (e == AttachError::none) return true;
  *code = kAttachBase - static_cast<int>(e);
  return false;
}

Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  const uint32_t capacity = info[1].As<Napi::Number>().Uint32Value();
  const uint32_t slot_size = info[2].As<Napi::Number>().Uint32Value();
  Ring ring;
  const AttachError e = Ring::create(bytes.Data(), bytes.ByteLength(), capacity, slot_size, &ring);
  return Napi::Number::New(info.Env(), e == AttachError::none ? 0 : kAttachBase - static_cast<int>(e));
}

Napi::Value Attach(const Napi::CallbackInfo& info) {
  Ring ring;
  double code = 0;
  attach(info[0], &ring, &code);
  return Napi::Number::New(info.Env(), code);
}

Napi::Value TryPush(const Napi::CallbackInfo& info) {
  Ring ring;
  double code = 0;
  if (attach(info[0], &ring, &code)) {
    Napi::Uint8Array msg = info[1].As<Napi::Uint8Array>();
    code = status_code(ring.try_push(msg.Data(), static_cast<uint32_t>(msg.ByteLength())));
  }
  return Napi::Number::New(info.Env(), code);
}

Napi::Value TryPop(const Napi::CallbackInfo& info) {
  Ring ring;
  double code = 0;
  if (attach(info[0], &ring, &code)) {
    Napi::Uint8Array out = info[1].As<Napi::Uint8Array>();
    uint32_t len = 0;
    const Status s = ring.try_pop(out.Data(), out.ByteLength(), &len);
    code = s == Status::ok ? static_cast<double>(len) : status_code(s);
  }
  return Napi::Number::New(info.Env(), code);
}

// pushBatch(ring, data, lens, count): messages back to back in data.
Napi::Value PushBatch(const Napi::CallbackInfo& info) {
  Ring ring;
  double code = 0;
  if (attach(info[0], &ring, &code)) {
    Napi::Uint8Array data = info[1].As<Napi::Uint8Array>();
    Napi::Uint32Array lens = info[2].As<Napi::Uint32Array>();
    size_t count = info[3].As<Napi::Number>().Uint32Value();
    if (count > lens.ElementLength()) count = lens.ElementLength();
    // never read past data, whatever lens says
    size_t total = 0, fit = 0;
    for (; fit < count && total + lens[fit] <= data.ByteLength(); fit++) total += lens[fit];
    Status s;
    const size_t n = ring.push_batch(data.Data(), lens.Data(), fit, &s);
    code = n > 0 || fit == 0 ? static_cast<double>(n) : status_code(s);
  }
  return Napi::Number::New(info.Env(), code);
}

// popBatch(ring, out, lens, max): messages back to back into out.
Napi::Value PopBatch(const Napi::CallbackInfo& info) {
  Ring ring;
  double code = 0;
  if (attach(info[0], &ring, &code)) {
    Napi::Uint8Array out = info[1].As<Napi::Uint8Array>();
    Napi::Uint32Array lens = info[2].As<Napi::Uint32Array>();
    size_t max = info[3].As<Napi::Number>().Uint32Value();
    if (max > lens.ElementLength()) max = lens.ElementLength();
    Status s;
    const size_t n = ring.pop_batch(out.Data(), out.ByteLength(), lens.Data(), max, &s);
    code = n > 0 || max == 0 ? static_cast<double>(n) : status_code(s);
  }
  return Napi::Number::New(info.Env(), code);
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  Ring ring;
  double code = 0;
  if (attach(info[0], &ring, &code)) ring.close();
  return Napi::Number::New(info.Env(), code);
}

}  // namespace

void InitRing(Napi::Env env, Napi::Object exports) {
  exports.Set("ringCreate", Napi::Function::New(env, Create, "ringCreate"));
  exports.Set("ringAttach", Napi::Function::New(env, Attach, "ringAttach"));
  exports.Set("ringTryPush", Napi::Function::New(env, TryPush, "ringTryPush"));
  exports.Set("ringTryPop", Napi::Function::New(env, TryPop, "ringTryPop"));
  exports.Set("ringPushBatch", Napi::Function::New(env, PushBatch, "ringPushBatch"));
  exports.Set("ringPopBatch", Napi::Function::New(env, PopBatch, "ringPopBatch"));
  exports.Set("ringClose", Napi::Function::New(env, Close, "ringClose"));
  exports.Set("ringHeaderBytes", Napi::Number::New(env, static_cast<double>(loom::ring::kHeaderBytes)));
}
