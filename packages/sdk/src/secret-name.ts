/*
 * The one rule for "this name holds a secret". The linter (CS012), the build's secret build-arg
 * warning and the action's log masking all ask it, so what is flagged is what is masked.
 */

/** A name with one of these words (split at `_`, `-`, `.`) holds a secret. */
export const SECRET_NAME_WORDS: readonly string[] = [
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'TOKEN',
  'SECRET',
  'KEY',
  'APIKEY',
  'CREDENTIALS',
];
/** A name ending in one of these holds a secret even when glued to other words (`DBPASSWORD`). */
export const SECRET_NAME_ENDINGS: readonly string[] = ['PASSWORD', 'TOKEN', 'SECRET', 'APIKEY'];
/** A name whose last word is one of these points at a secret or describes one rather than holds it (`*_FILE`, `*_PREFIX`). */
export const SECRET_REFERENCE_SUFFIXES: readonly string[] = [
  'FILE',
  'PATH',
  'DIR',
  'NAME',
  'URL',
  'PREFIX',
  'SUFFIX',
  'HEADER',
  'TTL',
  'EXPIRY',
];
/** Keys that are public by design: signing-key fingerprints (`GPG_KEY` in the official python image), public keys. */
export const PUBLIC_KEY_WORDS: readonly string[] = ['GPG', 'PGP', 'PUBLIC', 'PUBKEY', 'PUBLISHABLE'];
/** ...unless the name also says it is private (`GPG_PRIVATE_KEY`). */
const PRIVATE_WORDS = new Set(['PRIVATE', 'SECRET', 'PASSWORD', 'PASSPHRASE', 'TOKEN']);

const WORDS = new Set(SECRET_NAME_WORDS);
const REFERENCES = new Set(SECRET_REFERENCE_SUFFIXES);
const PUBLIC = new Set(PUBLIC_KEY_WORDS);
const ENDING = new RegExp(`(${SECRET_NAME_ENDINGS.join('|')})$`);

/**
 * True for `DB_PASSWORD`, `GITHUB_TOKEN`, `SSH_KEY`, `aws_secret_access_key`, `AWS_ACCESS_KEY_ID`;
 * false for `PASSWORD_FILE`, `CACHE_KEY_PREFIX`, `GPG_KEY`, `MONKEY`, `AUTHOR`.
 */
export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  const parts = upper.split(/[_\-.]+/).filter(Boolean);
  const last = parts.at(-1);
  if (last === undefined || REFERENCES.has(last)) return false;
  if (parts.some((part) => PUBLIC.has(part)) && !parts.some((part) => PRIVATE_WORDS.has(part))) return false;
  return parts.some((part) => WORDS.has(part)) || ENDING.test(upper);
}
