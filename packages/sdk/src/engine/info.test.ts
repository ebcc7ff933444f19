import { describe, expect, test } from 'vitest';
import { type EngineVersionInfo, engineBuilders, engineProduct } from './info.js';

// The fields as the engines on the test machine answer GET /version.
const docker: EngineVersionInfo = {
  Version: '20.10.24+dfsg1',
  ApiVersion: '1.41',
  Platform: { Name: '' },
  Components: [{ Name: 'Engine' }],
};
const podman: EngineVersionInfo = {
  Version: '4.3.1',
  ApiVersion: '1.41',
  Platform: { Name: 'linux/amd64/debian-12' },
  Components: [{ Name: 'Podman Engine' }],
};

describe('what an engine offers', () => {
  test.each([
    ['Docker with API 1.41', docker, 'Docker', ['buildkit', 'classic']],
    ['Docker with API 1.39 (18.09)', { ...docker, ApiVersion: '1.39' }, 'Docker', ['buildkit', 'classic']],
    ['Docker with API 1.38', { ...docker, ApiVersion: '1.38' }, 'Docker', ['classic']],
    ['Docker with API 2.0', { ...docker, ApiVersion: '2.0' }, 'Docker', ['buildkit', 'classic']],
    ['Podman, whatever API it claims', podman, 'Podman', ['classic']],
    ['an engine that says nothing', {}, 'Docker', ['classic']],
  ])('%s', (_name, version, product, builders) => {
    expect(engineProduct(version)).toBe(product);
    expect(engineBuilders(version)).toEqual(builders);
  });
});
