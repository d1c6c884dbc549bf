// Whether the main thread is inside an interruptible run (a vm script with
// breakOnSigint, where an interrupt may strike at any instruction). Its own
// module, with no imports, so that low layers (the frame writer) can ask.
let inRun = false;

export function setInsideInterruptibleRun(v: boolean): void {
  inRun = v;
}

export function insideInterruptibleRun(): boolean {
  return inRun;
}
