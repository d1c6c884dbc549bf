// The process group: worker ids, the wire, topologies, cluster managers.
// Public names are re-exported by lib/index.ts; the message bus (send,
// onMessage, onProcessExit, registerHandle, addWorkerSetup, runInterruptible,
// isWorker) is for the layers above.
export { addprocs, addWorkerSetup, type AddprocsOptions } from './addprocs.js';
export { rmprocs, type RmprocsOptions, type RmprocsResult } from './rmprocs.js';
export { interrupt } from './interrupt.js';
export { runInterruptible, queueInterruptible, settleWhenDone } from './interruptible.js';
export type { Interruptible, AsyncInterruptible } from './interruptible.js';
export { holdProcess, releaseProcess, holdWhile } from './keep-alive.js';
export { myid, nprocs, nworkers, procs, workers, isWorker, send, sendJsonText, onMessage, onProcessExit, hasExited } from './membership.js';
export type { Message, PeerAddress } from './membership.js';
export { ClusterManager, type LaunchParams, type ManageOp } from './cluster-manager.js';
export { LocalManager } from './local-manager.js';
export { SSHManager } from './ssh-manager.js';
export { parseMachineFile, type MachineSpec } from './machine-spec.js';
export { WorkerConfig } from './worker-config.js';
export { initWorker, processMessages } from './worker-runtime.js';
export { registerHandle, registerErrorClass, errorClassNamed, primitiveJson, primitivesJson, type HandleSpec } from './serializer.js';
export type { Topology, TopologyOption } from './topology.js';
