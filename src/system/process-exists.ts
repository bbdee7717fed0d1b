/**
 * Whether a process of this machine still exists. Used to tell a crashed
 * owner (of a daemon registration, a download session, a blob lock) from a
 * live one. `process.kill(pid, 0)` sends no signal; it only asks.
 */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (e.g. the systemd service user).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
