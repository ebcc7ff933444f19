import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { parsePortSpec } from './ports.js';

describe('parsePortSpec', () => {
  test.each([
    [5000, { hostIp: '127.0.0.1', hostPort: 0, containerPort: 5000, protocol: 'tcp' }],
    ['5000', { hostIp: '127.0.0.1', hostPort: 0, containerPort: 5000, protocol: 'tcp' }],
    [' 80 ', { hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }],
    ['5000/udp', { hostIp: '127.0.0.1', hostPort: 0, containerPort: 5000, protocol: 'udp' }],
    ['5000/TCP', { hostIp: '127.0.0.1', hostPort: 0, containerPort: 5000, protocol: 'tcp' }],
    ['8080:5000', { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 5000, protocol: 'tcp' }],
    [':5000', { hostIp: '127.0.0.1', hostPort: 0, containerPort: 5000, protocol: 'tcp' }],
    ['0:5000', { hostIp: '127.0.0.1', hostPort: 0, containerPort: 5000, protocol: 'tcp' }],
    ['127.0.0.1:8080:5000', { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 5000, protocol: 'tcp' }],
    ['127.0.0.1::5000', { hostIp: '127.0.0.1', hostPort: 0, containerPort: 5000, protocol: 'tcp' }],
    ['0.0.0.0:8080:5000/udp', { hostIp: '0.0.0.0', hostPort: 8080, containerPort: 5000, protocol: 'udp' }],
    ['[::1]:8080:5000', { hostIp: '::1', hostPort: 8080, containerPort: 5000, protocol: 'tcp' }],
    ['[::1]::5000', { hostIp: '::1', hostPort: 0, containerPort: 5000, protocol: 'tcp' }],
    ['65535', { hostIp: '127.0.0.1', hostPort: 0, containerPort: 65535, protocol: 'tcp' }],
  ])('%j → %j', (spec, expected) => {
    expect(parsePortSpec(spec)).toEqual(expected);
  });

  test.each([
    ['abc', /Port 'abc' is not valid; use CONTAINER_PORT/],
    ['0', /out of range/],
    ['70000', /out of range/],
    ['8080:0', /out of range/],
    ['5000/sctp', /unknown protocol/],
    ['host:8080:5000', /not an IP/],
    ['1:2:3:4', /not valid/],
    ['', /not valid/],
    ['-5', /not valid/],
    ['50.5', /not valid/],
  ])('%j is rejected: %s', (spec, message) => {
    expect(() => parsePortSpec(spec)).toThrow(InvalidInputError);
    expect(() => parsePortSpec(spec)).toThrow(message);
  });
});
