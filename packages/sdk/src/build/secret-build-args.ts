import type { DockerfileAnalysis } from '../dockerfile/analysis.js';
import { isSecretName } from '../secret-name.js';

/**
 * Pure: the warning for build args named like secrets (the linter's CS012 rule) that an `ARG`
 * in a stage being built consumes: both builders write their values into the image history,
 * and a build secret is the way to pass them. Names only, never values. Undefined when there are none.
 * Without an analysis (a Dockerfile that does not parse) every secret-looking arg counts.
 */
export function secretBuildArgWarning(
  buildArgs: Record<string, string> | undefined,
  analysis: DockerfileAnalysis | undefined,
  target?: string,
): string | undefined {
  const consumed = analysis ? declaredArgs(analysis, target) : undefined;
  const names = Object.keys(buildArgs ?? {}).filter((name) => isSecretName(name) && (consumed?.has(name) ?? true));
  if (names.length === 0) return undefined;
  const [subject, verb, them] =
    names.length === 1 ? [`The build arg ${names[0]}`, 'looks', 'it'] : [`The build args ${names.join(', ')}`, 'look', 'them'];
  return `${subject} ${verb} like a secret, and build arg values stay in the image history (docker history); pass ${them} as a build secret instead (--secret id=NAME,env=VAR, read with RUN --mount=type=secret,id=NAME), or at run time as an environment variable.`;
}

/** Names declared by `ARG` inside the stages the build runs (an `ARG` before `FROM` reaches no history). */
export function declaredArgs(analysis: DockerfileAnalysis, target: string | undefined): Set<string> {
  const names = new Set<string>();
  for (const stage of analysis.stagesForTarget(target)) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== 'ARG') continue;
      for (const declaration of instruction.args.split(/\s+/)) {
        const name = declaration.split('=')[0];
        if (name) names.add(name);
      }
    }
  }
  return names;
}
