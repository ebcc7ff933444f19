// Looking at processes by id, for the scripts that start daemons (the test bed, the second engine).
import { readFileSync } from 'node:fs';

/** True while `pid` exists (EPERM: it exists and belongs to someone else). */
export function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The process's command line, arguments joined by spaces; '' when it is gone. */
export function commandLineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
