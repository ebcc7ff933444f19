import { expect, test } from 'vitest';
import { isSecretName } from './secret-name.js';

test.each([
  ['DB_PASSWORD', true],
  ['GITHUB_TOKEN', true],
  ['aws_secret_access_key', true],
  ['API_KEY', true],
  ['NPMTOKEN', true],
  ['SECRET', true],
  ['PASSWORD_FILE', false],
  ['SSH_KEY_PATH', false],
  ['MONKEY', false],
  ['PYTHONUNBUFFERED', false],
  ['TOKENIZERS_PARALLELISM', false],
  ['GPG_KEY', false],
  ['PYTHON_GPG_KEY', false],
  ['GPG_PRIVATE_KEY', true],
  ['GPG_PASSPHRASE', true],
  ['CACHE_KEY_PREFIX', false],
  ['TOKEN_PREFIX', false],
  ['SSH_PUBLIC_KEY', false],
  ['STRIPE_PUBLISHABLE_KEY', false],
  ['AWS_ACCESS_KEY_ID', true],
  ['SSH_KEY', true],
  ['DEPLOY_KEY', true],
  ['AUTHOR', false],
])('isSecretName(%s) is %s', (name, expected) => {
  expect(isSecretName(name)).toBe(expected);
});
