import { Command, Option, type OptionValues } from '@commander-js/extra-typings';
import packageJson from '../package.json' with { type: 'json' };
import {
  collect,
  collectKeyValue,
  collectPortMapping,
  loadDurationGrammar,
  parseCount,
  parsePort,
  parseStatus,
  parseTimeout,
} from './args.js';
import type { CliContext, CommandResult } from './context.js';

/**
 * The shape of every `commands/*.ts`: loaded only when its command runs. `flags` are the flags
 * its definition below declares, typed from it (`Flags<'build'>`), so a renamed or retyped flag
 * is a compile error in the command that reads it.
 */
export interface CommandModule<CommandFlags> {
  run: (ctx: CliContext, args: string[], flags: CommandFlags) => Promise<CommandResult>;
}

export type CommandRunner = <CommandFlags>(
  load: () => Promise<CommandModule<CommandFlags>>,
  args: string[],
  flags: CommandFlags,
) => Promise<void>;

/** The flags a command definition declares, as commander parses them. */
type FlagsOf<C> = C extends Command<infer _Args, infer Options, infer _Globals> ? Options : never;
/** What `action` needs of a command definition. */
interface Runnable {
  action(handler: (...params: unknown[]) => Promise<void>): unknown;
}

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;

function addBuildOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(command: Command<A, O, G>) {
  return command
    .option('-f, --file <path>', 'the Dockerfile, relative to the context (default: Dockerfile)')
    .option('--target <stage>', 'the build stage to stop at')
    .option('--build-arg <key=value>', 'a build argument (repeatable)', collectKeyValue)
    .option('--label <key=value>', 'an image label (repeatable)', collectKeyValue)
    .option('--no-cache', 'do not use the build cache')
    .option('--pull', 'always pull a newer base image')
    .option('--platform <os/arch>', "the platform to build for (only the engine's own)")
    .addOption(
      new Option('--builder <builder>', 'auto: BuildKit when the engine has it, else classic').choices([
        'auto',
        'buildkit',
        'classic',
      ]),
    )
    .option('--secret <id=NAME,env=VAR|src=FILE>', 'a BuildKit build secret for RUN --mount=type=secret (repeatable)', collect)
    .option(
      '--ssh <default|ID=PATH>',
      'forward an ssh-agent (default, ID=SOCKET) or private key files (ID=KEYFILE) to RUN --mount=type=ssh (repeatable)',
      collect,
    )
    .option('--cache-from <ref>', 'an image whose layers the build may reuse (repeatable)', collect)
    .option(
      '--cache-to <inline|none>',
      'inline: write cache metadata into the image for --cache-from on a fresh runner (release does by default with BuildKit); none: do not',
      collect,
    );
}

function addTagOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  command: Command<A, O, G>,
  what = 'the version to tag: v1.1 gives 1.1, 1, latest',
) {
  return command
    .option('-t, --tag <version>', what)
    .option('--rule <rule>', "a docker/metadata-action tag rule, e.g. 'type=semver,pattern={{version}}' (repeatable)", collect)
    .option('--flavor <flavor>', "a metadata-action flavor line, e.g. 'latest=false' (repeatable)", collect);
}

function addSmokeOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(command: Command<A, O, G>) {
  return command
    .option('--port <port>', 'the container port the app listens on (default: 5000)', parsePort)
    .option('--path <path>', 'the URL path to request (default: /)')
    .option('--expect-status <code>', 'the HTTP status that passes (default: 200)', parseStatus)
    .option('--expect-body <text>', 'text the response body must contain')
    .option('--timeout <duration>', 'how long to wait for the app, e.g. 30s (default: 30s)', parseTimeout)
    .option('-e, --env <key=value>', 'an environment variable for the container under test (repeatable)', collectKeyValue);
}

/** Swarm service settings, shared by deploy and release --deploy (the smoke options become the health check). */
function addDeployOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(command: Command<A, O, G>) {
  return command
    .option('--replicas <n>', 'how many replicas (default: the current count, or 1)', parseCount)
    .addOption(
      new Option('--publish <mode>', 'host: a host port per replica; dnsrr: DNS round-robin on an overlay network').choices([
        'host',
        'dnsrr',
      ]),
    )
    .option('--host-port <port>', 'host mode: one fixed host port (one replica per node; updates stop first)', parsePort)
    .option('--network <name>', 'an attachable overlay network to join, created when missing (dnsrr default: SERVICE-net)')
    .option('--wait <duration>', 'how long to wait for every replica to be healthy (default: 5m)', parseTimeout);
}

/** `ship` and its global flags. */
function rootCommand(output: { writeOut(text: string): void; writeErr(text: string): void }) {
  return (
    new Command('ship')
      // Set before the subcommands are added: they copy it. Usage errors are printed by runCli, as one line.
      .configureOutput({ ...output, outputError: () => {} })
      .description('Build, smoke-test, tag and publish container images, the same way on a laptop and in CI.')
      .version(packageJson.version, '-V, --version', 'print the version')
      .helpOption('-h, --help', 'show help')
      .option('--json', 'print exactly one JSON object on stdout (progress goes to stderr)')
      .option('-q, --quiet', 'print only the essential result, no progress')
      .option('--debug', 'on errors, print the cause chain and stack traces')
      .option('--no-color', 'never use colors (NO_COLOR works too)')
      .option('-c, --config <path>', 'the config file (default: ship.yaml or ship.config.json in the context)')
      // Before a command with --timeout or --wait parses its flags (with parseAsync, commander awaits this).
      .hook('preSubcommand', async (_program, command) => {
        if (command.options.some((option) => option.parseArg === parseTimeout)) await loadDurationGrammar();
      })
      .showSuggestionAfterError(true)
      .showHelpAfterError(false)
      .exitOverride()
      .addHelpText(
        'after',
        examples(
          'ship release examples/flask-app --image localhost:5001/examples/flask-app --tag v1.1',
          'ship tags --image app --tag v1.1 --json',
          'ship <command> --help',
        ),
      )
  );
}

type Program = ReturnType<typeof rootCommand>;

/**
 * The command table: names, arguments, flags and examples are declared here (cheap to load);
 * each command's implementation is imported only when that command runs. Commands are added to
 * `program` in this order, which is the order of `ship --help`.
 */
function defineCommands(program: Program) {
  return {
    build: addTagOptions(
      addBuildOptions(
        program
          .command('build')
          .summary('build an image and apply the planned tags')
          .description('Build an image from a context through the Docker Engine API, then tag it with the planned tags.')
          .argument('[context]', 'the build context directory (default: context in ship.yaml, else .)')
          .option('-i, --image <name>', 'the image name (repeatable; default: image in ship.yaml)', collect)
          .option(
            '-o, --output <spec>',
            'BuildKit: export the files instead of an image: type=tar,dest=FILE, type=local,dest=DIR, DIR, or - (a tar on stdout)',
          )
          .option('--no-report', 'skip the build report (size, layers, the biggest with their instruction)')
          .option('--scan-layers', 'add to the report the bytes later layers hide (exports the whole image: seconds)'),
      ),
    ).addHelpText(
      'after',
      examples(
        'ship build examples/flask-app --image localhost:5001/examples/flask-app --tag v1.1',
        'ship build . --output type=tar,dest=rootfs.tar',
        'ship build . --target dist -o ./dist',
      ),
    ),
    run: program
      .command('run')
      .summary('run an image with its ports published on 127.0.0.1')
      .description('Run a container; in the foreground it streams the logs and Ctrl-C stops and removes it.')
      .argument('<image>', 'the image to run')
      .argument('[command...]', 'the command to run instead of the image default')
      .option(
        '-p, --publish <port[:host]>',
        'publish a container port on 127.0.0.1 (repeatable; host port picked when omitted)',
        collectPortMapping,
      )
      .option('-e, --env <key=value>', 'an environment variable (repeatable)', collectKeyValue)
      .option('--name <name>', 'the container name')
      .option('-d, --detach', 'start it and return; stop it with ship stop')
      .addHelpText(
        'after',
        examples(
          'ship run localhost:5001/examples/flask-app:1.1 -p 5000',
          'ship run app:dev -p 5000:8080 --env FLASK_DEBUG=1 --detach',
        ),
      ),
    smoke: addSmokeOptions(
      program
        .command('smoke')
        .summary('smoke-test an image over HTTP')
        .description('Start the image, wait until it answers over HTTP, judge the answer, and remove the container.')
        .argument('<image>', 'the image to test'),
    ).addHelpText(
      'after',
      examples('ship smoke localhost:5001/examples/flask-app:1.1 --path / --expect-status 200 --timeout 30s'),
    ),
    push: addTagOptions(
      program
        .command('push')
        .summary('push an image (and its planned tags) to its registry')
        .description('Push IMAGE (a full reference); with --tag, also the planned tags of the same repository.')
        .argument('<image>', 'the image reference to push, e.g. localhost:5001/team/app:dev'),
      'also push the planned tags of this version in the same repository',
    )
      .option('--force', 'move floating tags (1.2, 1, latest) even backwards, past a newer release in the registry')
      .option(
        '--ca-cert <file>',
        "the registry's CA certificate, PEM, for ship's own requests (the engine push uses its certs.d)",
      )
      .option('--insecure', "plain HTTP for ship's own registry requests (loopback registries may without it)")
      .addHelpText(
        'after',
        examples('ship push localhost:5001/examples/flask-app:1.1', 'ship push localhost:5001/examples/flask-app:dev --tag v1.1'),
      ),
    release: addDeployOptions(
      addSmokeOptions(
        addTagOptions(
          addBuildOptions(
            program
              .command('release')
              .summary('build → smoke → tag → push; nothing is pushed when the smoke test fails')
              .description(
                'Build the image, smoke-test it, tag it with the planned tags and push them; nothing is pushed when the smoke test fails.',
              )
              .argument('[context]', 'the build context directory (default: context in ship.yaml, else .)')
              .option('-i, --image <name>', 'the image name (repeatable; default: image in ship.yaml)', collect)
              .option(
                '-r, --registry <registry>',
                "also publish to this registry host or image name, in addition to the image's own repository (repeatable)",
                collect,
              )
              .option('--no-smoke', 'skip the smoke test')
              .option('--no-push', 'build, test and tag, but do not push')
              .option(
                '--report',
                'also print the build report (biggest layers, bytes hidden by later layers); costs a few seconds',
              )
              .option('--no-report', 'no build report (the default for release; ship build prints one)')
              .option(
                '--ca-cert <file>',
                "the registries' CA certificate, PEM, for ship's own requests (the engine push uses its certs.d)",
              )
              .option('--insecure', "plain HTTP for ship's own registry requests (loopback registries may without it)"),
          ),
        ),
      ).option('--deploy <service>', 'then deploy the pushed digest to this Swarm service (see ship deploy)'),
    )
      .addHelpText(
        'after',
        examples(
          'ship release examples/flask-app --image localhost:5001/examples/flask-app --tag v1.1',
          'ship release --tag v1.2.0 --json',
        ),
      )
      .addHelpText(
        'after',
        '  $ ship release examples/flask-app --image localhost:5001/examples/flask-app --tag v1.2 --deploy flask-app --replicas 2\n',
      ),
    tags: addTagOptions(
      program
        .command('tags')
        .summary('print the tag plan')
        .description(
          "Print the tags a release would apply, from a version or from metadata-action rules and the git context (GITHUB_* or the local repository); the registry's existing tags are read when it answers, so floating tags never move backwards.",
        )
        .option('-i, --image <name>', 'an image name (repeatable; default: image in ship.yaml)', collect)
        .option(
          '--existing-tag <tag>',
          'a tag the registry already has, so floating tags never move backwards (repeatable)',
          collect,
        )
        .option('--offline', "read no registry: plan from the flags alone (by default the images' tags are read)"),
    )
      .option('--ca-cert <file>', "the registry's CA certificate, PEM (default: /etc/docker/certs.d/HOST/ca.crt)")
      .option('--insecure', 'talk plain HTTP to the registry (loopback registries may without it)')
      .addHelpText(
        'after',
        examples(
          'ship tags --image app --tag v1.1',
          "GITHUB_REF=refs/tags/v1.1.1 ship tags --image app --rule 'type=semver,pattern={{version}}' --rule 'type=semver,pattern={{major}}.{{minor}}'",
        ),
      ),
    login: program
      .command('login')
      .summary('store registry credentials like docker login')
      .description(
        'Log in to a registry (Docker Hub, GHCR, ECR, ACR, Artifact Registry or any other) and store the credentials like docker login does. The password comes from stdin or SHIP_PASSWORD, never from a flag.',
      )
      .argument('<registry>', 'the registry host, e.g. ghcr.io or localhost:5002')
      .option('-u, --username <user>', 'the user name')
      .option('--password-stdin', 'read the password or token from stdin')
      // Only so that a password typed as a flag gets a clear refusal instead of "unknown option".
      .addOption(new Option('--password <password>').hideHelp())
      .option('--ca-cert <file>', "the registry's CA certificate, PEM (default: /etc/docker/certs.d/HOST/ca.crt)")
      .option('--insecure', 'talk plain HTTP to the registry (loopback registries may without it)')
      .addHelpText(
        'after',
        examples(
          'echo "$TOKEN" | ship login ghcr.io -u octocat --password-stdin',
          'SHIP_PASSWORD=... ship login localhost:5002 -u ship',
        ),
      ),
    promote: program
      .command('promote')
      .summary('add tags to an image in a registry without moving layers')
      .description(
        'Add tags to an image already in a registry (manifest copy, same digest), or copy it to another repository or registry.',
      )
      .argument('<source>', 'the image in the registry, e.g. localhost:5001/team/app:sha-abc1234')
      .option('-t, --tag <version>', 'the version shortcut: v1.2.3 gives 1.2.3, 1.2, 1, latest')
      .option('--to <destination>', 'another repository or registry to copy to')
      .option('--force', 'move floating tags (1.2, 1, latest) even backwards, past a newer release in the registry')
      .option('--ca-cert <file>', "the registries' CA certificate, PEM (default: /etc/docker/certs.d/HOST/ca.crt)")
      .option('--insecure', 'talk plain HTTP to the registries (loopback registries may without it)')
      .addHelpText(
        'after',
        examples(
          'ship promote localhost:5001/team/app:sha-abc1234 --tag v1.2.3',
          'ship promote localhost:5001/team/app:1.2.3 --to localhost:5002/prod/app --tag v1.2.3',
        ),
      ),
    lint: program
      .command('lint')
      .summary('lint a Dockerfile for size, cache and safety problems')
      .description('Lint a Dockerfile: exit 1 when any warning or error remains.')
      .argument('[dockerfile]', 'the Dockerfile, or a directory that holds one', 'Dockerfile')
      .addOption(new Option('--format <format>', 'the output format').choices(['text', 'json', 'sarif']).default('text'))
      .option('--ignore <id>', 'a rule id to ignore (repeatable)', collect)
      .option('--port <port>', 'the port the smoke test uses (default: ship.yaml smoke.port, else 5000)', parsePort)
      .addOption(
        new Option('--builder <builder>', 'the builder that will run it: some rules apply to one only')
          .choices(['auto', 'buildkit', 'classic'])
          .default('auto'),
      )
      .option('--target <stage>', 'the stage that is built (default: ship.yaml target, else the last stage)')
      .addHelpText(
        'after',
        examples(
          'ship lint examples/flask-app/Dockerfile.naive',
          'ship lint Dockerfile --format sarif > lint.sarif',
          'ship lint Dockerfile --builder classic',
        ),
      ),
    init: program
      .command('init')
      .summary('write an optimised Dockerfile, .dockerignore and ship.yaml')
      .description(
        'Generate an optimised multi-stage Dockerfile, a .dockerignore and a ship.yaml for an app; never overwrites without --force.',
      )
      .argument('[dir]', 'the app directory', '.')
      .addOption(new Option('--template <template>', 'the kind of app').choices(['python']).default('python'))
      .option('--base <image>', 'the base image (default: python:X.Y-slim for the detected version)')
      .option('--force', 'overwrite existing files')
      .option('--port <port>', 'the port the app listens on, when it cannot be detected', parsePort)
      .option('--cmd <command>', 'the command that starts the app, e.g. "gunicorn app:app"')
      .option(
        '--health-path <path>',
        'the path the health check and smoke test request (default: a detected health route, else /)',
      )
      .option('--no-web', 'a worker: no EXPOSE, no HTTP health check, smoke: false')
      .addOption(
        new Option('--builder <builder>', 'the builder the Dockerfile is for: buildkit gets pip cache mounts')
          .choices(['buildkit', 'classic'])
          .default('buildkit'),
      )
      .addHelpText(
        'after',
        examples(
          'ship init --template python',
          'ship init services/api --base python:3.11-slim --force',
          'ship init worker --no-web',
          'ship init api --port 8080 --cmd "gunicorn -c conf.py app:app" --health-path /healthz',
        ),
      ),
    logs: program
      .command('logs')
      .summary('print the logs of a container ship started')
      .argument('<container>', 'the container name or id (see ship ps)')
      .option('-n, --tail <lines>', 'only the last N lines', parseCount)
      .option('-f, --follow', 'keep streaming until Ctrl-C')
      .addHelpText('after', examples('ship logs ship-run-3f2a1b9c --tail 20')),
    ps: program
      .command('ps')
      .summary('list the containers ship started')
      .addHelpText('after', examples('ship ps', 'ship ps --json')),
    stop: program
      .command('stop')
      .summary('stop and remove containers ship started')
      .argument('[containers...]', 'container names or ids (see ship ps)')
      .option('-a, --all', 'every container ship started')
      .addHelpText('after', examples('ship stop ship-run-3f2a1b9c', 'ship stop --all')),
    deploy: addDeployOptions(
      addSmokeOptions(
        program
          .command('deploy')
          .summary('run an image on Docker Swarm, pinned to its digest; roll out and roll back')
          .description(
            'Create or update a Swarm service running IMAGE pinned to its digest (a tag is resolved in the registry), with the smoke settings as its health check and rolling updates that start the new replica first, wait for it to be healthy, and roll back on their own when it is not.',
          )
          .argument('<image>', 'the image, e.g. localhost:5001/team/app@sha256:... or localhost:5001/team/app:1.1')
          .option('--no-health', 'no health check (updates then wait only for the container to start)'),
      ).option('--name <service>', 'the service name (default: the last part of the repository)'),
    ).addHelpText(
      'after',
      examples(
        'ship deploy localhost:5001/examples/flask-app:1.1 --name flask-app --replicas 2 --port 5000',
        'ship deploy localhost:5001/examples/flask-app@sha256:... --publish dnsrr --network flask-net',
      ),
    ),
    scale: program
      .command('scale')
      .summary('set the number of replicas of a service')
      .argument('<service>', 'the service name')
      .argument('<replicas>', 'how many replicas')
      .option('--wait <duration>', 'how long to wait for them (default: 5m)', parseTimeout)
      .addHelpText('after', examples('ship scale flask-app 4', 'ship scale flask-app 1')),
    status: program
      .command('status')
      .summary('desired vs running replicas, the digest each task runs, recent task errors')
      .argument('<service>', 'the service name')
      .addHelpText('after', examples('ship status flask-app', 'ship status flask-app --json')),
    rollback: program
      .command('rollback')
      .summary('roll a service back to its previous version')
      .argument('<service>', 'the service name')
      .option('--wait <duration>', 'how long to wait for it (default: 5m)', parseTimeout)
      .addHelpText('after', examples('ship rollback flask-app')),
    undeploy: program
      .command('undeploy')
      .summary('remove a service ship deployed (and the network ship made for it)')
      .argument('<service>', 'the service name')
      .addHelpText('after', examples('ship undeploy flask-app')),
    k8s: addSmokeOptions(
      program
        .command('k8s')
        .summary('print Kubernetes manifests (Deployment, Service, autoscaler) for an image')
        .description(
          'Print a Deployment (probes from the smoke settings, requests and limits, non-root, read-only root), a Service and a HorizontalPodAutoscaler for IMAGE pinned to its digest, as YAML. Nothing is applied to any cluster.',
        )
        .argument('<image>', 'the image, e.g. localhost:5001/team/app@sha256:... (a tag is resolved to its digest)')
        .option('--name <name>', 'the name of the objects (default: the last part of the repository)')
        .option('--replicas <n>', 'replicas of the Deployment (default: 2)', parseCount)
        .option('--min <n>', 'the autoscaler minimum (default: the replicas)', parseCount)
        .option('--max <n>', 'the autoscaler maximum (default: 5 x the minimum)', parseCount)
        .option('--cpu-target <percent>', 'the average CPU utilization the autoscaler aims for (default: 70)', parseCount)
        .option('--namespace <namespace>', 'the namespace of the objects')
        .option('--no-read-only', 'a writable root filesystem (default: read-only, with /tmp an emptyDir)')
        .option('-o, --output <file>', 'write the YAML to this file instead of stdout'),
    ).addHelpText(
      'after',
      examples(
        'ship k8s localhost:5001/examples/flask-app:1.1 --replicas 2 --min 2 --max 10 --cpu-target 70',
        'ship k8s localhost:5001/examples/flask-app@sha256:... --path /healthz -o k8s.yaml',
      ),
    ),
    exec: program
      .command('exec')
      .summary('run a command in a container ship started')
      .description(
        "Run a command in a running container ship started; interactive with a TTY when stdin is a terminal. The exit code is the command's.",
      )
      .argument('<container>', 'the container name or id (see ship ps)')
      .argument('<command...>', 'the command, after --')
      .addHelpText('after', examples('ship exec ship-run-3f2a1b9c -- sh', 'ship exec ship-run-3f2a1b9c -- python -c "print(1)"')),
    rmi: program
      .command('rmi')
      .summary('remove images ship built (refused while a container uses one)')
      .argument('<images...>', 'image references or ids')
      .addHelpText('after', examples('ship rmi localhost:5001/examples/flask-app:1.1')),
    doctor: program
      .command('doctor')
      .summary('say which engine ship uses, how it was found, and what it offers')
      .description(
        'Find the engine as every command does (DOCKER_HOST, DOCKER_CONTEXT, the current docker context, then the default, rootless, Docker Desktop, Colima and Podman sockets) and print its address, the rule that chose it, its version, API version and builders.',
      )
      .addHelpText('after', examples('ship doctor', 'DOCKER_HOST=ssh://root@build-host ship doctor --json')),
    clean: program
      .command('clean')
      .summary('remove every container and dangling image ship created')
      .addHelpText('after', examples('ship clean')),
  };
}

type Commands = ReturnType<typeof defineCommands>;

/** The flags of one command, as its module's `run` receives them, e.g. `Flags<'release'>`. */
export type Flags<Name extends keyof Commands> = FlagsOf<Commands[Name]>;

export function createProgram(
  runCommand: CommandRunner,
  output: { writeOut(text: string): void; writeErr(text: string): void },
): Program {
  const program = rootCommand(output);
  const commands = defineCommands(program);
  /** Runs the module `load` brings with the flags `command` declares; the module's `run` must accept those. */
  const action = <C extends Runnable>(command: C, load: () => Promise<CommandModule<FlagsOf<C>>>) => {
    command.action(async (...params: unknown[]) => {
      // commander passes the positional arguments, then the flags, then the command.
      const positional = params
        .slice(0, -2)
        .flatMap((value) => (Array.isArray(value) ? value : value === undefined ? [] : [value]));
      await runCommand(load, positional as string[], params.at(-2) as FlagsOf<C>);
    });
  };
  action(commands.build, () => import('./commands/build.js'));
  action(commands.run, () => import('./commands/run.js'));
  action(commands.smoke, () => import('./commands/smoke.js'));
  action(commands.push, () => import('./commands/push.js'));
  action(commands.release, () => import('./commands/release.js'));
  action(commands.tags, () => import('./commands/tags.js'));
  action(commands.login, () => import('./commands/login.js'));
  action(commands.promote, () => import('./commands/promote.js'));
  action(commands.lint, () => import('./commands/lint.js'));
  action(commands.init, () => import('./commands/init.js'));
  action(commands.logs, () => import('./commands/logs.js'));
  action(commands.ps, () => import('./commands/ps.js'));
  action(commands.stop, () => import('./commands/stop.js'));
  action(commands.deploy, () => import('./commands/deploy.js'));
  action(commands.scale, () => import('./commands/scale.js'));
  action(commands.status, () => import('./commands/status.js'));
  action(commands.rollback, () => import('./commands/rollback.js'));
  action(commands.undeploy, () => import('./commands/undeploy.js'));
  action(commands.k8s, () => import('./commands/k8s.js'));
  action(commands.exec, () => import('./commands/exec.js'));
  action(commands.rmi, () => import('./commands/rmi.js'));
  action(commands.doctor, () => import('./commands/doctor.js'));
  action(commands.clean, () => import('./commands/clean.js'));

  return program;
}
