import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { imageNames } from './image-lines.js';
import { planTags } from './plan.js';

describe('metadata-action image lines', () => {
  test.each([
    [['ghcr.io/user/app'], ['ghcr.io/user/app']],
    [['name=ghcr.io/user/app'], ['ghcr.io/user/app']],
    [['org/app', 'ghcr.io/user/app,enable=false'], ['org/app']],
    [['name=ghcr.io/user/app,enable=true'], ['ghcr.io/user/app']],
    [['NAME=org/app, ENABLE=false', 'b'], ['b']],
  ])('%j gives %j', (lines, names) => {
    expect(imageNames(lines)).toEqual(names);
  });

  test.each([
    ['name=org/app,enable=no', 'has enable=no; use enable=true or enable=false.'],
    ['name=org/app,tags=x', 'has an attribute "tags" that images do not know; use only name and enable.'],
    ['enable=true', 'names no image; write name=ghcr.io/org/app.'],
  ])('%s is refused', (line, message) => {
    expect(() => imageNames([line])).toThrow(InvalidInputError);
    expect(() => imageNames([line])).toThrow(message);
  });

  test('a disabled image gets no tags from planTags', () => {
    const plan = planTags({ images: ['org/app', 'name=ghcr.io/user/app,enable=false'], version: 'v1.2.3' });
    expect(plan.tags).toEqual(['org/app:1.2.3', 'org/app:1.2', 'org/app:1', 'org/app:latest']);
  });
});
