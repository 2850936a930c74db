/**
 * Whether a process id is alive on this host. EPERM means it exists but belongs to another user:
 * alive. (src/redis/instance-lock.ts keeps its own copy: redis/ may not import runtime/.)
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
