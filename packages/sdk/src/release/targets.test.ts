import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { lowerCaseNotices, releaseTargets } from './targets.js';

const auth = { username: 'ci', password: 'secret' };

describe('releaseTargets', () => {
  test.each([
    [
      'one image, no registries',
      'localhost:5001/app',
      undefined,
      [{ registry: 'localhost:5001', repository: 'localhost:5001/app' }],
    ],
    [
      'several images',
      ['localhost:5001/app', 'ghcr.io/acme/app'],
      undefined,
      [
        { registry: 'localhost:5001', repository: 'localhost:5001/app' },
        { registry: 'ghcr.io', repository: 'ghcr.io/acme/app' },
      ],
    ],
    ['a Docker Hub name', 'acme/app', undefined, [{ registry: 'docker.io', repository: 'acme/app' }]],
    [
      'upper case is lowered',
      'localhost:5001/App',
      undefined,
      [{ registry: 'localhost:5001', repository: 'localhost:5001/app' }],
    ],
    [
      'duplicates are dropped',
      ['localhost:5001/app', 'localhost:5001/app'],
      undefined,
      [{ registry: 'localhost:5001', repository: 'localhost:5001/app' }],
    ],
    [
      'an empty registries list is none',
      'localhost:5001/app',
      [],
      [{ registry: 'localhost:5001', repository: 'localhost:5001/app' }],
    ],
    [
      'registries put the image name under each host',
      'app',
      [{ registry: 'localhost:5001' }, { registry: 'localhost:5002', auth }],
      [
        { registry: 'localhost:5001', repository: 'localhost:5001/app' },
        { registry: 'localhost:5002', repository: 'localhost:5002/app', auth },
      ],
    ],
    [
      'a registry with a namespace',
      'app',
      [{ registry: 'ghcr.io/acme/' }],
      [{ registry: 'ghcr.io', repository: 'ghcr.io/acme/app' }],
    ],
    [
      'a registry is added to the image’s own, its path kept',
      'localhost:5001/team/app',
      [{ registry: 'ghcr.io' }],
      [
        { registry: 'localhost:5001', repository: 'localhost:5001/team/app' },
        { registry: 'ghcr.io', repository: 'ghcr.io/team/app' },
      ],
    ],
    [
      'a registry that is the image’s own is not published twice',
      'localhost:5001/app',
      [{ registry: 'localhost:5001', auth }],
      [{ registry: 'localhost:5001', repository: 'localhost:5001/app', auth }],
    ],
    [
      'a bare name with registries goes only under them (never to Docker Hub by accident)',
      'acme/app',
      [{ registry: 'localhost:5002' }],
      [{ registry: 'localhost:5002', repository: 'localhost:5002/acme/app' }],
    ],
    [
      'an official-looking Docker Hub name does not grow library/',
      'docker.io/app',
      [{ registry: 'localhost:5001' }],
      [
        { registry: 'docker.io', repository: 'docker.io/app' },
        { registry: 'localhost:5001', repository: 'localhost:5001/app' },
      ],
    ],
    [
      'a registry entry with its own full image name',
      'app',
      [{ image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web', auth }],
      [
        {
          registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
          repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web',
          auth,
        },
      ],
    ],
    [
      'a registry entry with a registry and a bare image name',
      'app',
      [{ registry: 'localhost:5002', image: 'other/web' }],
      [{ registry: 'localhost:5002', repository: 'localhost:5002/other/web' }],
    ],
    [
      'each registry gets each image',
      ['web', 'worker'],
      [{ registry: 'localhost:5001' }, { registry: 'ghcr.io/acme' }],
      [
        { registry: 'localhost:5001', repository: 'localhost:5001/web' },
        { registry: 'localhost:5001', repository: 'localhost:5001/worker' },
        { registry: 'ghcr.io', repository: 'ghcr.io/acme/web' },
        { registry: 'ghcr.io', repository: 'ghcr.io/acme/worker' },
      ],
    ],
  ] as const)('%s', (_name, images, registries, targets) => {
    expect(releaseTargets(images as string | string[], registries as never)).toEqual(targets);
  });

  test.each([
    [
      'an image with a tag',
      'localhost:5001/app:1.0',
      undefined,
      /The image 'localhost:5001\/app:1.0' has a tag or digest; give the repository alone/,
    ],
    ['no image at all', [], undefined, /No image was given to release/],
    ['a registry entry with nothing in it', 'app', [{}], /names neither a registry nor an image/],
    [
      'a registry image with a tag',
      'app',
      [{ image: 'ghcr.io/acme/app:1' }],
      /The registry image 'ghcr.io\/acme\/app:1' has a tag/,
    ],
    ['a bad image name', 'bad name', undefined, /not a valid image reference/],
  ] as const)('%s is rejected', (_name, images, registries, message) => {
    const call = () => releaseTargets(images as string | string[], registries as never);
    expect(call).toThrow(InvalidInputError);
    expect(call).toThrow(message);
  });
});

describe('lowerCaseNotices', () => {
  test.each([
    ['a lower-case name: no notice', 'localhost:5001/app', undefined, []],
    [
      'capitals in the image',
      'localhost:5001/Team/MyApp',
      undefined,
      [
        "The image name 'localhost:5001/Team/MyApp' has capitals, which registries do not accept; it is published as 'localhost:5001/team/myapp' (write it in lower case to silence this).",
      ],
    ],
    [
      'capitals in a registry entry',
      ['app'],
      [{ registry: 'GHCR.io/Acme' }],
      [
        "The image name 'GHCR.io/Acme' has capitals, which registries do not accept; it is published as 'ghcr.io/acme' (write it in lower case to silence this).",
      ],
    ],
  ])('%s', (_name, images, registries, notices) => {
    expect(lowerCaseNotices(images, registries)).toEqual(notices);
  });
});
