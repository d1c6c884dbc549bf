// The cluster runtime's native half (loom_runtime.node), written against
// Node's and V8's own API rather than N-API: breaking a run needs V8's
// TerminateExecution / CancelTerminateExecution, which N-API does not offer.
// It is built with the rest on install, for the Node that runs it.
//   writeSome(fd, bytes, start, end)   one write(2): bytes written, or -errno
//   installInterrupts(onIdle, parent)  SIGINT handling for this worker
//   runInterruptible(fn)               fn(), broken off by a SIGINT
// A run broken off throws an Error with code ERR_SCRIPT_EXECUTION_INTERRUPTED,
// as `vm` does with breakOnSigint (lib/cluster/interruptible.ts handles both).
#include <node.h>
#include <node_buffer.h>
#include <signal.h>
#include <unistd.h>
#include <uv.h>
#include <v8.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "errors.h"
#include "interrupt_gate.h"
#include "sigint_watch.h"

namespace {

using v8::Context;
using v8::FunctionCallbackInfo;
using v8::Isolate;
using v8::Local;
using v8::Value;

constexpr int kAbiVersion = 1;
constexpr int kOrphanCheckMs = 500;
// The shortest run that can have started and stopped Node's SIGINT watchdog (a thread each time).
constexpr uint64_t kWatchdogRunNs = 10000;

void BreakRun(void* data);
void ReportIdle(void* data);
void EndOrphan(void* data);
void ReportReplaced(void* data);

// One per process: SIGINT is process-wide. Never freed: it lives as long as the process.
struct Interrupts {
  Isolate* isolate;
  v8::Global<Context> context;
  v8::Global<v8::Function> on_idle;
  uv_async_t idle_async;
  loom::InterruptGate gate{BreakRun, ReportIdle, this};
  loom::SigintWatch* watch = nullptr;
};

Interrupts* g_interrupts = nullptr;

void BreakRun(void* data) { static_cast<Interrupts*>(data)->isolate->TerminateExecution(); }

void ReportIdle(void* data) { uv_async_send(&static_cast<Interrupts*>(data)->idle_async); }

// Once per process: the handler was replaced (by Node's watchdog after a `vm` run with
// breakOnSigint, or by a 'SIGINT' listener), and put back.
void ReportReplaced(void*) {
  static std::atomic<bool> told{false};
  if (told.exchange(true)) return;
  static const char kMessage[] =
      "loom-worker: something replaced this worker's SIGINT handler (a vm run with breakOnSigint, or a 'SIGINT' "
      "listener); loom put its own back, which interrupt() needs\n";
  ssize_t ignored = ::write(2, kMessage, sizeof kMessage - 1);
  (void)ignored;
}

void EndOrphan(void*) {
  static const char kMessage[] = "loom-worker: the process that started this worker is gone; exiting\n";
  ssize_t ignored = ::write(2, kMessage, sizeof kMessage - 1);
  (void)ignored;
  ::kill(::getpid(), SIGKILL);
}

void CloseInterrupts(void* data) {
  auto* in = static_cast<Interrupts*>(data);
  in->gate.close();
  // (After close() returns, the watch thread sends nothing more to the handle.)
  uv_close(reinterpret_cast<uv_handle_t*>(&in->idle_async), nullptr);
}

void OnIdleAsync(uv_async_t* handle) {
  auto* in = static_cast<Interrupts*>(handle->data);
  Isolate* isolate = in->isolate;
  v8::HandleScope scope(isolate);
  Local<Context> context = in->context.Get(isolate);
  v8::Context::Scope context_scope(context);
  Local<v8::Function> fn = in->on_idle.Get(isolate);
  (void)node::MakeCallback(isolate, context->Global(), fn, 0, nullptr, node::async_context{0, 0});
}

Local<v8::String> Str(Isolate* isolate, const char* s) {
  return v8::String::NewFromUtf8(isolate, s).ToLocalChecked();
}

void Put(Local<Context> context, Local<v8::Object> target, Local<v8::String> key, Local<Value> value) {
  target->Set(context, key, value).Check();
}

void ThrowSysError(Isolate* isolate, const loom::SysError& e) {
  Local<Context> context = isolate->GetCurrentContext();
  const char* code = uv_err_name(-e.err());
  std::string message = std::string(code) + ": " + std::strerror(e.err()) + ", " + e.syscall() + " '" + e.path() + "'";
  Local<v8::Object> error = v8::Exception::Error(Str(isolate, message.c_str())).As<v8::Object>();
  Put(context, error, Str(isolate, "code"), Str(isolate, code));
  Put(context, error, Str(isolate, "errno"), v8::Integer::New(isolate, -e.err()));
  Put(context, error, Str(isolate, "syscall"), Str(isolate, e.syscall().c_str()));
  Put(context, error, Str(isolate, "path"), Str(isolate, e.path().c_str()));
  isolate->ThrowException(error);
}

void ThrowTypeError(Isolate* isolate, const char* message) {
  isolate->ThrowException(v8::Exception::TypeError(Str(isolate, message)));
}

// writeSome(fd, bytes, start, end): the caller (lib/cluster/framing.ts) passes checked integers.
void WriteSome(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  if (info.Length() < 4 || !info[0]->IsInt32() || !info[1]->IsUint8Array() || !info[2]->IsUint32() || !info[3]->IsUint32()) {
    ThrowTypeError(isolate, "writeSome(fd, bytes, start, end): expected an int, a Uint8Array and two offsets");
    return;
  }
  int fd = info[0].As<v8::Int32>()->Value();
  Local<v8::Uint8Array> bytes = info[1].As<v8::Uint8Array>();
  size_t start = info[2].As<v8::Uint32>()->Value();
  size_t end = info[3].As<v8::Uint32>()->Value();
  if (start > end || end > bytes->ByteLength()) {
    isolate->ThrowException(v8::Exception::RangeError(Str(isolate, "writeSome: start and end must lie within the bytes")));
    return;
  }
  const char* data = node::Buffer::Data(bytes.As<Value>());
  ssize_t n;
  do {
    n = ::write(fd, data + start, end - start);
  } while (n < 0 && errno == EINTR);
  info.GetReturnValue().Set(static_cast<double>(n < 0 ? -errno : n));
}

void InstallInterrupts(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  if (info.Length() < 2 || !info[0]->IsFunction() || !info[1]->IsInt32()) {
    ThrowTypeError(isolate, "installInterrupts(onIdle, parentPid): expected a function and a pid");
    return;
  }
  if (g_interrupts != nullptr) {
    isolate->ThrowException(v8::Exception::Error(Str(isolate, "installInterrupts: already installed in this process")));
    return;
  }
  auto* in = new Interrupts();
  in->isolate = isolate;
  in->context.Reset(isolate, isolate->GetCurrentContext());
  in->on_idle.Reset(isolate, info[0].As<v8::Function>());
  uv_loop_t* loop = node::GetCurrentEventLoop(isolate);
  int r = uv_async_init(loop, &in->idle_async, OnIdleAsync);
  if (r != 0) {
    ThrowSysError(isolate, loom::SysError(-r, "uv_async_init", "SIGINT"));
    delete in;
    return;
  }
  in->idle_async.data = in;
  uv_unref(reinterpret_cast<uv_handle_t*>(&in->idle_async));
  try {
    in->watch = new loom::SigintWatch(in->gate, info[1].As<v8::Int32>()->Value(), kOrphanCheckMs, EndOrphan, ReportReplaced, in);
  } catch (const loom::SysError& e) {
    // The async handle stays (closing it needs a loop turn); a failed install is rare and final.
    ThrowSysError(isolate, e);
    return;
  } catch (const std::exception& e) {
    isolate->ThrowException(v8::Exception::Error(Str(isolate, e.what())));
    return;
  }
  g_interrupts = in;
  // The isolate and the loop go away before the watch thread does: no hook may touch them
  // after the environment's teardown, nor during an exit() (process.exit skips the teardown).
  node::AddEnvironmentCleanupHook(isolate, CloseInterrupts, in);
  std::atexit([] { g_interrupts->gate.close(); });
}

enum class Outcome { kReturned, kThrew, kInterrupted, kTerminated };

// runInterruptible(fn): calls fn with no arguments and returns what it returns.
void RunInterruptible(const FunctionCallbackInfo<Value>& info) {
  Isolate* isolate = info.GetIsolate();
  Interrupts* in = g_interrupts;
  if (in == nullptr || info.Length() < 1 || !info[0]->IsFunction()) {
    ThrowTypeError(isolate, "runInterruptible(fn): install the interrupts first, and pass a function");
    return;
  }
  Local<v8::Function> fn = info[0].As<v8::Function>();
  Local<Value> result;
  Outcome outcome;
  uint64_t started = uv_hrtime();
  {
    v8::TryCatch try_catch(isolate);
    in->gate.enter();
    v8::MaybeLocal<Value> r = fn->Call(isolate->GetCurrentContext(), v8::Undefined(isolate), 0, nullptr);
    bool struck = in->gate.leave();
    // (Asked before the cancel, which makes the TryCatch forget it saw a termination.)
    bool terminated = try_catch.HasTerminated();
    if (struck) isolate->CancelTerminateExecution();
    if (terminated) {
      // Not ours (the environment is stopping): let the termination go on.
      outcome = struck ? Outcome::kInterrupted : Outcome::kTerminated;
    } else if (try_catch.HasCaught()) {
      outcome = Outcome::kThrew;
      try_catch.ReThrow();
    } else {
      // Struck right after fn returned: the interrupt is moot, the result stands.
      outcome = Outcome::kReturned;
      result = r.ToLocalChecked();
    }
  }
  // A run that used Node's SIGINT watchdog (a `vm` run with breakOnSigint) left Node's exit
  // handler in place of ours. Starting that watchdog starts a thread: such a run takes tens of
  // µs, so shorter runs need no check (a syscall).
  if (uv_hrtime() - started > kWatchdogRunNs && in->watch->ensure_installed()) ReportReplaced(in);
  if (outcome == Outcome::kReturned) {
    info.GetReturnValue().Set(result);
  } else if (outcome == Outcome::kInterrupted) {
    Local<Context> context = isolate->GetCurrentContext();
    Local<v8::Object> error = v8::Exception::Error(Str(isolate, "Script execution was interrupted by `SIGINT`")).As<v8::Object>();
    Put(context, error, Str(isolate, "code"), Str(isolate, "ERR_SCRIPT_EXECUTION_INTERRUPTED"));
    isolate->ThrowException(error);
  }
}

void SetMethod(Local<Context> context, Local<v8::Object> target, const char* name, v8::FunctionCallback cb) {
  Isolate* isolate = context->GetIsolate();
  Local<v8::Function> fn = v8::FunctionTemplate::New(isolate, cb)->GetFunction(context).ToLocalChecked();
  fn->SetName(Str(isolate, name));
  Put(context, target, Str(isolate, name), fn);
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  Isolate* isolate = context->GetIsolate();
  Put(context, exports, Str(isolate, "abiVersion"), v8::Integer::New(isolate, kAbiVersion));
  SetMethod(context, exports, "writeSome", WriteSome);
  SetMethod(context, exports, "installInterrupts", InstallInterrupts);
  SetMethod(context, exports, "runInterruptible", RunInterruptible);
}
