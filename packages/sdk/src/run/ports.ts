import type { PortBinding } from '../engine/containers.js';
import { InvalidInputError } from '../errors.js';

/** Published ports default to loopback: a smoke-tested app is never exposed to the network. */
export const DEFAULT_HOST_IP = '127.0.0.1';

const FORMS =
  'use CONTAINER_PORT[/tcp|udp], HOST_PORT:CONTAINER_PORT or HOST_IP:HOST_PORT:CONTAINER_PORT (e.g. 5000 or 8080:5000)';

function portNumber(text: string, spec: string, allowZero: boolean): number {
  if (!/^\d{1,5}$/.test(text)) throw new InvalidInputError(`Port '${spec}' is not valid; ${FORMS}.`);
  const value = Number(text);
  if (value > 65535 || (value === 0 && !allowZero)) {
    throw new InvalidInputError(`Port '${spec}' is out of range; ports go from 1 to 65535 (${FORMS}).`);
  }
  return value;
}

/**
 * Pure: a port as `docker run -p` spells it (or a bare number) → a binding. The host port is
 * 0 (the engine picks a free one) unless given; the host address is 127.0.0.1 unless given.
 */
export function parsePortSpec(spec: number | string): PortBinding {
  const text = String(spec).trim();
  let rest = text;
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash !== -1) {
    const proto = rest.slice(slash + 1).toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp') throw new InvalidInputError(`Port '${text}' has an unknown protocol; ${FORMS}.`);
    protocol = proto;
    rest = rest.slice(0, slash);
  }
  let hostIp = DEFAULT_HOST_IP;
  const bracketed = /^\[([0-9a-fA-F:]+)\]:(.*)$/.exec(rest);
  if (bracketed) {
    hostIp = bracketed[1] ?? DEFAULT_HOST_IP;
    rest = bracketed[2] ?? '';
    const parts = rest.split(':');
    if (parts.length !== 2) throw new InvalidInputError(`Port '${text}' is not valid; ${FORMS}.`);
    return {
      hostIp,
      hostPort: parts[0] === '' ? 0 : portNumber(parts[0] ?? '', text, true),
      containerPort: portNumber(parts[1] ?? '', text, false),
      protocol,
    };
  }
  const parts = rest.split(':');
  if (parts.length === 1) return { hostIp, hostPort: 0, containerPort: portNumber(parts[0] ?? '', text, false), protocol };
  if (parts.length === 2) {
    return {
      hostIp,
      hostPort: parts[0] === '' ? 0 : portNumber(parts[0] ?? '', text, true),
      containerPort: portNumber(parts[1] ?? '', text, false),
      protocol,
    };
  }
  if (parts.length === 3) {
    const ip = parts[0] ?? '';
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip))
      throw new InvalidInputError(`Port '${text}' names a host address that is not an IP; ${FORMS}.`);
    return {
      hostIp: ip,
      hostPort: parts[1] === '' ? 0 : portNumber(parts[1] ?? '', text, true),
      containerPort: portNumber(parts[2] ?? '', text, false),
      protocol,
    };
  }
  throw new InvalidInputError(`Port '${text}' is not valid; ${FORMS}.`);
}
