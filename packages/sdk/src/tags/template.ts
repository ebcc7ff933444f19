import { InvalidInputError } from '../errors.js';

/**
 * The small part of Handlebars that metadata-action's rules use: `{{name}}`,
 * `{{name 'arg'}}` and `{{name 'arg' key='value'}}`. Unknown names are an error rather
 * than an empty string, so a typo cannot silently produce a tag like `app:-foo`.
 */
export type TemplateHelper = (args: string[], hash: Record<string, string>) => string;
export type TemplateScope = Record<string, TemplateHelper>;

const MUSTACHE = /\{\{(.*?)\}\}/g;

export function renderTemplate(template: string, scope: TemplateScope, origin: string): string {
  return template.replace(MUSTACHE, (_whole, body: string) => {
    const [name, ...rest] = tokenize(body, origin);
    if (name === undefined)
      throw new InvalidInputError(`${origin} has an empty {{}} expression; remove it or name a value such as {{version}}.`);
    const helper = scope[name];
    if (!helper) {
      throw new InvalidInputError(
        `${origin} uses {{${name}}}, which is not known here; use one of ${Object.keys(scope)
          .map((key) => `{{${key}}}`)
          .join(', ')}.`,
      );
    }
    const args: string[] = [];
    const hash: Record<string, string> = {};
    for (const token of rest) {
      const eq = /^([A-Za-z_][\w-]*)=(.*)$/s.exec(token);
      if (eq?.[1] !== undefined && eq[2] !== undefined) hash[eq[1]] = unquote(eq[2]);
      else if (/^(['"]).*\1$/s.test(token)) args.push(unquote(token));
      else {
        // Handlebars reads a bare word as a variable, which here is always empty; say so instead.
        throw new InvalidInputError(
          `${origin} passes ${token} to {{${name}}} without quotes; quote it, as in {{${name} '${token}'}}.`,
        );
      }
    }
    return helper(args, hash);
  });
}

/** True when the template is exactly one `{{name}}` expression (metadata-action's `{{raw}}` check). */
export function isSingleExpression(template: string, name: string): boolean {
  return new RegExp(`^\\{\\{\\s*${name}\\s*\\}\\}$`).test(template);
}

export function usesExpression(template: string, name: string): boolean {
  return new RegExp(`\\{\\{\\s*${name}[\\s}]`).test(template);
}

function tokenize(body: string, origin: string): string[] {
  const tokens: string[] = [];
  const re = /\s*((?:[^\s'"]*(?:'[^']*'|"[^"]*"))+[^\s'"]*|[^\s'"]+)/gy;
  const text = body.trim();
  let match: RegExpExecArray | null;
  let end = 0;
  // biome-ignore lint/suspicious/noAssignInExpressions: the usual exec loop
  while ((match = re.exec(text)) !== null) {
    if (match[1] !== undefined) tokens.push(match[1]);
    end = re.lastIndex;
  }
  if (end !== text.length) throw new InvalidInputError(`${origin} has an unbalanced quote in {{${body}}}; close the quote.`);
  return tokens;
}

function unquote(token: string): string {
  const quoted = /^(['"])(.*)\1$/s.exec(token);
  return quoted?.[2] ?? token;
}
