import { describe, expect, test } from 'vitest';
import { demuxLogs, portInUseFrom } from './containers.js';

// Recorded from the test bed's engine (GET /containers/{id}/logs?stdout=1&stderr=1 of a
// non-TTY container that printed to stderr, then stdout twice).
const RECORDED = 'AgAAAAAAAAhlcnIgb25lCgEAAAAAAAAIb3V0IG9uZQoBAAAAAAAACG91dCB0d28K';

describe('demuxLogs', () => {
  test.each([
    ['a recorded multiplexed stream', Buffer.from(RECORDED, 'base64'), 'err one\nout one\nout two\n'],
    ['an empty stream', Buffer.alloc(0), ''],
    ['a TTY stream (no frame headers) as it is', Buffer.from('plain text\n'), 'plain text\n'],
    [
      'a frame whose payload is cut short keeps what arrived',
      Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 10]), Buffer.from('abc')]),
      'abc',
    ],
    [
      'multi-byte UTF-8 split across frames',
      Buffer.concat([
        Buffer.from([1, 0, 0, 0, 0, 0, 0, 1]),
        Buffer.from([0xc3]),
        Buffer.from([1, 0, 0, 0, 0, 0, 0, 2]),
        Buffer.from([0xa9, 0x0a]),
      ]),
      'é\n',
    ],
  ])('%s', (_name, buffer, text) => {
    expect(demuxLogs(buffer)).toBe(text);
  });
});

describe('portInUseFrom', () => {
  const engineError = (message: string) => ({ statusCode: 500, json: { message } });
  test.each([
    [
      'docker-proxy: another container holds the port',
      'driver failed programming external connectivity on endpoint x (abc): Bind for 127.0.0.1:32770 failed: port is already allocated',
      { hostIp: '127.0.0.1', hostPort: 32770 },
    ],
    [
      'docker-proxy: a host process holds the port',
      'driver failed programming external connectivity on endpoint x (abc): Error starting userland proxy: listen tcp4 127.0.0.1:8080: bind: address already in use',
      { hostIp: '127.0.0.1', hostPort: 8080 },
    ],
    [
      'IPv6',
      'Error starting userland proxy: listen tcp6 [::1]:8080: bind: address already in use',
      { hostIp: '::1', hostPort: 8080 },
    ],
    ['a port clash without an address', 'port is already allocated', {}],
    ['something else', 'OCI runtime create failed: exec: "x": executable file not found in $PATH', undefined],
  ])('%s', (_name, message, expected) => {
    expect(portInUseFrom(engineError(message))).toEqual(expected);
  });
});
