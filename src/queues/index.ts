export { decisionJobSchema, signalBookSchema, signalJobSchema, orderJobSchema } from './payloads.js';
export type { DecisionJob, SignalJob, OrderJob } from './payloads.js';
export { createProducers, DECISIONS_QUEUE, SIGNALS_QUEUE, ORDERS_QUEUE } from './producers.js';
export type { ProducerOptions, Producers } from './producers.js';
export { createDecisionWorker, createSignalWorker, createOrderWorker } from './workers.js';
export type { WorkerHandle } from './workers.js';
export { startWorkerWatchdog, stalledWorker } from './watchdog.js';
export type { WatchedWorker } from './watchdog.js';
