// The console and SDK examples of README.md and docs/*.md, as data: where each marked block
// is, the commands in it, what each printed, and its exit code. Pure (text in, data or text
// out); scripts/docs.mjs runs the commands.
//
// A console example is captured, not typed: a marker comment stands right before its fence.
//
//   <!-- docs:capture -->                    run each `$ ` line, write what it printed below it
//   <!-- docs:capture
//   cwd: examples/flask-app                  (relative to the repo root, or under $DOCS_TMP)
//   setup: printf 'x' > $DOCS_TMP/file       (hidden shell lines run first; repeatable)
//   -->
//   <!-- docs:manual why -->                 real output that cannot be re-run here (say why)
//   <!-- docs:sdk -->                        a ts block: type-checked against the SDK
//   <!-- docs:sdk run                        ... and run (only cheap, engine-free ones)
//   declare: const text: string              (free names the fragment uses; repeatable)
//   -->
//
// In a page with at least one marker, an unmarked console block (a fence whose first line
// starts with `$ `) is reported as a warning; pages without markers are left alone. A command
// that exits non-zero is followed by an `[exit N]` line.

const FENCE = /^```(\w*)\s*$/;
const MARKER_START = /^<!--\s*docs:(capture|manual|sdk)\b(.*)$/;

/** `docs-3f2a1b`, `readme-broken-3f2a1b`: a run's unique repository names; each capture picks new hex. */
export const RUN_ID = /\b((?:docs|readme)(?:-[a-z]+)*)-[0-9a-f]{6}\b/g;

/** Parses one Markdown file into its marked blocks (and the unmarked console blocks, as problems). */
export function parseDoc(text, file) {
  const lines = text.split('\n');
  const blocks = [];
  const problems = [];
  let marked = false;
  for (let i = 0; i < lines.length; i++) {
    const start = MARKER_START.exec(lines[i]);
    if (start) {
      marked = true;
      const kind = start[1];
      let rest = start[2] ?? '';
      const attrLines = [];
      let j = i;
      while (!rest.includes('-->')) {
        if (rest.trim()) attrLines.push(rest.trim());
        j += 1;
        if (j >= lines.length) {
          problems.push(`${file}:${i + 1}: the docs:${kind} marker never closes with -->`);
          break;
        }
        rest = lines[j];
      }
      const inline = rest.slice(0, rest.indexOf('-->')).trim();
      if (inline) attrLines.push(inline);
      const fenceLine = j + 1;
      const fence = FENCE.exec(lines[fenceLine] ?? '');
      if (!fence) {
        problems.push(`${file}:${i + 1}: a docs:${kind} marker must stand right before a fenced block`);
        continue;
      }
      const end = closingFence(lines, fenceLine);
      const attrs = parseAttrs(kind, attrLines);
      blocks.push({
        kind,
        attrs,
        line: fenceLine + 1,
        /** Indexes of the first and last content line (exclusive of the fences). */
        start: fenceLine + 1,
        end,
        lang: fence[1],
        body: lines.slice(fenceLine + 1, end),
      });
      i = end;
      continue;
    }
    const fence = FENCE.exec(lines[i]);
    if (fence) {
      const end = closingFence(lines, i);
      const first = lines[i + 1] ?? '';
      if (first.startsWith('$ ') && (fence[1] === 'console' || fence[1] === '' || fence[1] === 'sh')) {
        blocks.push({ kind: 'unmarked', line: i + 1, start: i + 1, end, lang: fence[1], body: lines.slice(i + 1, end) });
      }
      i = end;
    }
  }
  // A warning, not a failure: pages change while others write them, and an unmarked block may
  // be one that must not run here; marking it is a decision (capture, or manual and why).
  const warnings = marked
    ? blocks
        .filter((b) => b.kind === 'unmarked')
        .map(
          (block) =>
            `${file}:${block.line}: a console example that is not captured; put <!-- docs:capture --> (or <!-- docs:manual why -->) before it and run npm run docs:capture`,
        )
    : [];
  return { lines, blocks: blocks.filter((b) => b.kind !== 'unmarked'), problems, warnings, marked };
}

function closingFence(lines, open) {
  for (let k = open + 1; k < lines.length; k++) if (/^```\s*$/.test(lines[k])) return k;
  return lines.length;
}

function parseAttrs(kind, attrLines) {
  const attrs = { setup: [], declare: [], run: false, note: '' };
  for (const line of attrLines) {
    const m = /^(cwd|setup|declare):\s?(.*)$/.exec(line);
    if (m) {
      if (m[1] === 'cwd') attrs.cwd = m[2].trim();
      else attrs[m[1]].push(m[2]);
    } else if (kind === 'sdk' && line === 'run') {
      attrs.run = true;
    } else {
      attrs.note = attrs.note ? `${attrs.note} ${line}` : line;
    }
  }
  return attrs;
}

/**
 * The commands of a console block with what the docs say each printed: `$ ` starts one (a
 * trailing `\` continues it on the next line), every other line until the next `$ ` is output,
 * and an `[exit N]` line is its exit code (0 when absent).
 */
export function commandsOf(body) {
  const commands = [];
  let current;
  for (let k = 0; k < body.length; k++) {
    const line = body[k];
    if (line.startsWith('$ ')) {
      let text = line.slice(2);
      while (text.endsWith('\\') && k + 1 < body.length) {
        k += 1;
        text = `${text}\n${body[k]}`;
      }
      current = { command: text, output: [], exitCode: 0 };
      commands.push(current);
      continue;
    }
    if (!current) continue;
    const exit = /^\[exit (\d+)\]$/.exec(line);
    if (exit) current.exitCode = Number(exit[1]);
    else current.output.push(line);
  }
  return commands;
}

/** The block's new body: each command, what it printed, and `[exit N]` when N is not 0. */
export function renderCommands(results) {
  const out = [];
  for (const { command, output, exitCode } of results) {
    out.push(`$ ${command}`);
    const text = output.replace(/\s+$/, '');
    if (text) out.push(...text.split('\n').map((line) => line.replace(/\s+$/, '')));
    if (exitCode !== 0) out.push(`[exit ${exitCode}]`);
  }
  return out;
}

/** Replaces each block's body (last block first, so line numbers hold) and returns the file's text. */
export function replaceBodies(lines, replacements) {
  const next = [...lines];
  for (const { block, body } of [...replacements].sort((a, b) => b.block.start - a.block.start)) {
    next.splice(block.start, block.end - block.start, ...body);
  }
  return next.join('\n');
}

/** The first line that reports an error (`✖ ...`, the action's `✗ ...` and `::error::...`, `Error: ...`, `fatal: ...`), or ''. */
export function firstErrorLine(output) {
  const lines = Array.isArray(output) ? output : output.split('\n');
  return lines.find((line) => /^(✖|✗|::error::|Error\b|error\b|fatal\b|npm ERR!)/.test(line.trim()))?.trim() ?? '';
}

/**
 * What may differ between two runs of the same command: digests, image and container ids,
 * durations, ephemeral ports, pids, temp paths and the run's unique repository names.
 */
export function normalize(line) {
  return line
    .replace(/sha256:[0-9a-f]{64}/g, 'sha256:<digest>')
    .replace(RUN_ID, '$1-<id>')
    .replace(/\b[0-9a-f]{12,64}\b/g, '<id>')
    .replace(/ship-(run|smoke)-[0-9a-z-]+/g, 'ship-$1-<name>')
    .replace(/\/tmp\/[^\s'":)]+/g, '<tmp>')
    .replace(/\b(127\.0\.0\.1|localhost|0\.0\.0\.0):(?!500[12]\b)\d+/g, '$1:<port>')
    .replace(/\bpid \d+/g, 'pid <n>')
    .replace(/\d+(\.\d+)?\s?(ms|s|m|min)\b/g, '<t>')
    .replace(/\d+(\.\d+)?\s?(B|kB|KB|MB|MiB|GB|GiB)\b/g, '<size>');
}
