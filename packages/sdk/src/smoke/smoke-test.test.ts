import { describe, expect, test } from 'vitest';
import { EngineUnavailableError, ShipError } from '../errors.js';
import { engineLostDuringSmoke } from './smoke-test.js';

describe('engineLostDuringSmoke', () => {
  test('an engine that went away mid-smoke: the container may still run, ship clean removes it', () => {
    const gone = new EngineUnavailableError(
      'No Docker engine answers at unix:///var/run/docker.sock; start Docker (or dockerd), or point DOCKER_HOST at a running engine.',
    );
    const error = engineLostDuringSmoke(gone, 'ship-smoke-abc-1234') as EngineUnavailableError;
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect(error.message).toBe(
      "The engine stopped answering during the smoke test (No Docker engine answers at unix:///var/run/docker.sock; start Docker (or dockerd), or point DOCKER_HOST at a running engine), so the container ship-smoke-abc-1234 may still be running; once the engine answers again, 'ship clean' removes it.",
    );
    expect(error.cause).toBe(gone);
  });

  test.each([
    ['another ship error', new ShipError('PORT_IN_USE', 'Port 5000 is taken; pick another.')],
    ['a plain error', new Error('boom')],
  ])('%s passes through unchanged', (_name, error) => {
    expect(engineLostDuringSmoke(error, 'ship-smoke-x')).toBe(error);
  });
});
