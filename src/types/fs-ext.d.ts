/**
 * The part of fs-ext (https://github.com/baudehlo/node-fs-ext) we use: flock(2)
 * on a file descriptor. The package ships no types. Errors carry `code`
 * ('EAGAIN' when a non-blocking lock is held elsewhere).
 */
declare module 'fs-ext' {
  export type FlockFlag = 'sh' | 'ex' | 'shnb' | 'exnb' | 'un';
  export function flockSync(fd: number, flags: FlockFlag): void;
  export function flock(fd: number, flags: FlockFlag, callback: (error: NodeJS.ErrnoException | null) => void): void;
}
