import { runCli } from './main.js';

/**
 * The process entry: real streams, and SIGINT/SIGTERM turned into an abort so the command
 * removes what it started before exiting 130/143. A second signal exits at once.
 */
const controller = new AbortController();
let signals = 0;
const onSignal = (name: 'SIGINT' | 'SIGTERM') => {
  signals++;
  if (signals > 1) process.exit(name === 'SIGTERM' ? 143 : 130);
  controller.abort(name);
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

const code = await runCli(process.argv.slice(2), { signal: controller.signal });
process.exitCode = code;
// Exit without waiting on sockets the engine client keeps alive; output is flushed first.
const flush = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => (stream.writableNeedDrain ? stream.once('drain', resolve) : resolve()));
await Promise.all([flush(process.stdout), flush(process.stderr)]);
process.exit(code);
