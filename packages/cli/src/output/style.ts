/** ANSI styling that turns itself off: `--no-color`, NO_COLOR, or a stream that is not a terminal. */
export interface Style {
  enabled: boolean;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export function createStyle(enabled: boolean): Style {
  if (!enabled) {
    const plain = (text: string) => text;
    return { enabled, red: plain, green: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };
  }
  return {
    enabled,
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

/** Color on when asked for (FORCE_COLOR) or when writing to a terminal, unless turned off. */
export function colorWanted(o: { flag: boolean; env: NodeJS.ProcessEnv; isTTY: boolean }): boolean {
  if (!o.flag) return false;
  if (o.env.NO_COLOR !== undefined && o.env.NO_COLOR !== '') return false;
  if (o.env.FORCE_COLOR !== undefined) return o.env.FORCE_COLOR !== '0' && o.env.FORCE_COLOR !== 'false';
  return o.isTTY && o.env.TERM !== 'dumb';
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Printed width of a string, ignoring ANSI escapes. */
export function visibleWidth(text: string): number {
  return [...stripAnsi(text)].length;
}
