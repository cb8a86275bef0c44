/**
 * What the kernel says of a child process (Linux /proc): its resident memory and the files it
 * holds open. Used by the resilience tests to watch a server from outside, as an operator would.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Resident set size in bytes (`VmRSS`). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`VmRSS absent de /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/** Paths of the files the process has open (sockets and pipes left out). */
export function openFiles(pid: number): string[] {
  const dir = `/proc/${pid}/fd`;
  const files: string[] = [];
  for (const fd of readdirSync(dir)) {
    try {
      const target = readlinkSync(`${dir}/${fd}`);
      if (target.startsWith('/')) files.push(target);
    } catch {
      // closed between the listing and the read
    }
  }
  return files;
}
