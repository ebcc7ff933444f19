// Type tests of the typed flags: `npm run typecheck` (tsc) checks this file and fails when one of
// these lines stops holding; nothing here runs. Each command module's `run` takes `Flags<'name'>`,
// the flags its definition in program.ts declares, so a flag renamed or retyped there is a compile
// error where a command reads it.
import { expectTypeOf } from 'vitest';
import type { CommandModule, Flags } from './program.js';

declare const release: Flags<'release'>;
declare const build: Flags<'build'>;
declare const tags: Flags<'tags'>;

// A flag has the type its parser returns: durations and ports are numbers, repeatable flags arrays.
expectTypeOf(release.timeout).toEqualTypeOf<number | undefined>();
expectTypeOf(release.port).toEqualTypeOf<number | undefined>();
expectTypeOf(release.buildArg).toEqualTypeOf<Record<string, string> | undefined>();
expectTypeOf(tags.existingTag).toEqualTypeOf<string[] | undefined>();
// --builder takes one of its choices; --no-cache makes `cache` a boolean commander always sets.
expectTypeOf(release.builder).toEqualTypeOf<'auto' | 'buildkit' | 'classic' | undefined>();
expectTypeOf(build.cache).toEqualTypeOf<boolean>();

// @ts-expect-error the flag is --image (`image`); a name program.ts does not declare is an error
release.images;
// @ts-expect-error ship build has no --deploy: only release deploys
build.deploy;
// @ts-expect-error ship tags plans from flags and the registry: it has no build flags
tags.buildArg;

export const scale: CommandModule<Flags<'scale'>> = {
  // @ts-expect-error --wait is parsed to milliseconds: a module that wants the text does not fit the command
  run: async (_ctx, _args, flags: { wait?: string }) => ({ data: flags.wait }),
};
