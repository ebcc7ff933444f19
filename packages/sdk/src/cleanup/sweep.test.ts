import { describe, expect, test } from 'vitest';
import type { ShipContainer } from './list.js';
import { ownerIsGone, selectLeftovers } from './sweep.js';

const alive = new Set([100, 200]);
const isAlive = (pid: number) => alive.has(pid);

describe('ownerIsGone', () => {
  test.each([
    ['a live process on this host', 'here:100', false],
    ['a dead process on this host', 'here:999', true],
    ['a process on another host', 'there:999', false],
    ['no owner label (a detached container)', undefined, false],
    ['a malformed label', 'garbage', true],
    ['a pid that is not a number', 'here:abc', true],
    ['a host name with colons', 'a:b:100', false],
  ])('%s (%s) → %s', (_name, owner, gone) => {
    expect(ownerIsGone(owner, owner === 'a:b:100' ? 'a:b' : 'here', isAlive)).toBe(gone);
  });
});

describe('selectLeftovers', () => {
  const container = (name: string, runId: string, state: string, owner?: string): ShipContainer => ({
    id: `id-${name}`,
    name,
    image: 'app',
    state,
    purpose: 'smoke',
    runId,
    ...(owner ? { owner } : {}),
    createdAt: new Date(0),
  });
  const containers = [
    container('live-running', 'r1', 'running', 'here:100'),
    container('live-exited', 'r1', 'exited', 'here:200'),
    container('dead-running', 'r2', 'running', 'here:999'),
    container('dead-exited', 'r2', 'exited', 'here:998'),
    container('other-host', 'r3', 'running', 'there:1'),
    container('no-owner', 'r3', 'created'),
  ];
  test.each([
    ['the default sweep takes only containers whose owner is gone', {}, ['dead-running', 'dead-exited']],
    ['a run id takes all of that run, live or not', { runId: 'r1' }, ['live-running', 'live-exited']],
    ['a run id nobody used takes nothing', { runId: 'nope' }, []],
    ['all takes everything', { all: true }, containers.map((c) => c.name)],
  ])('%s', (_name, options, names) => {
    expect(selectLeftovers(containers, { ...options, host: 'here', isAlive }).map((c) => c.name)).toEqual(names);
  });
});
