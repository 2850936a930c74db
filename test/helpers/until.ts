/** Polls `cond` every 5 ms until it holds; rejects naming `what` after `ms`. A deadline, not a sleep-as-assertion. */
export function until(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (cond()) resolve();
      else if (Date.now() - start > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}
