import { InvalidInputError } from '../errors.js';
import { splitFields } from './rules.js';

/**
 * docker/metadata-action's `images` lines: a plain name (`ghcr.io/org/app`), or comma-separated
 * attributes `name=ghcr.io/org/app,enable=false`. Returns the names of the enabled images, in
 * order; a line with `enable=false` is left out. Names are returned as written (the planner
 * lower-cases and checks them).
 */
export function imageNames(lines: readonly string[]): string[] {
  const names: string[] = [];
  for (const line of lines) {
    if (!line.includes('=')) {
      names.push(line);
      continue;
    }
    const origin = `The image line "${line}"`;
    let name = '';
    let enable = true;
    for (const field of splitFields(line, origin)) {
      const eq = field.indexOf('=');
      if (eq <= 0) {
        name = field.trim();
        continue;
      }
      const key = field.slice(0, eq).trim().toLowerCase();
      const value = field.slice(eq + 1).trim();
      if (key === 'name') name = value;
      else if (key === 'enable') {
        if (value !== 'true' && value !== 'false')
          throw new InvalidInputError(`${origin} has enable=${value}; use enable=true or enable=false.`);
        enable = value === 'true';
      } else
        throw new InvalidInputError(`${origin} has an attribute "${key}" that images do not know; use only name and enable.`);
    }
    if (name === '') throw new InvalidInputError(`${origin} names no image; write name=ghcr.io/org/app.`);
    if (enable) names.push(name);
  }
  return names;
}
