/** Connection errors repeat on every reconnect attempt; one line per half minute is enough. */
export function throttled(intervalMs: number, fn: (msg: string) => void): (msg: string) => void {
  let last = 0;
  return (msg) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    fn(msg);
  };
}
