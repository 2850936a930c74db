import type { Logger, Notice, NoticeKind, Notifier } from '../domain/index.js';

/** How loud each notice is in the log: error for what needs a person now. */
const LEVEL: Record<NoticeKind, 'error' | 'warn' | 'info'> = {
  halt: 'error', 'unknown-outcome': 'error', 'reconcile-anomaly': 'error', 'lost-lock': 'error', 'token-failure': 'error',
  'daily-loss': 'error', silence: 'error',
  'redis-lost': 'warn', reject: 'warn', 'ws-lost': 'warn',
  resume: 'info', fill: 'info', start: 'info', ready: 'info', stop: 'info', 'redis-back': 'info', 'ws-back': 'info',
  'daily-summary': 'info',
};

/** The Notifier's first channel: one log line per notice, its message as the line's msg. */
export function createLogNotifier(log: Logger): Notifier {
  return {
    notify(n: Notice) {
      log[LEVEL[n.kind]]({ notice: n.kind, ...n.details }, n.message);
    },
  };
}
