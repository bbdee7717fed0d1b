import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateDayOfWeek, validatePatterns, validateRevision, validateTime } from '../../src/store/index.js';
import { ValidationError } from '../../src/errors.js';
import { validateCronPattern } from '../../src/schedule/schedule-format.js';
import { validateRepoId } from '../../src/repo-id.js';

describe('repo id validation', () => {
  test('accepts the repo ids the Hub accepts', () => {
    for (const id of [
      'gpt2',
      'bert-base-uncased',
      'org/name',
      'meta-llama/Llama-3.1-8B-Instruct',
      'TheBloke/Mistral-7B-v0.1-GGUF',
      'a/b',
      'user_1/model_v2.5',
      `${'a'.repeat(96)}/${'b'.repeat(96)}`,
    ]) {
      assert.equal(validateRepoId(id), id);
    }
  });

  test('refuses names that are not Hugging Face repo ids, saying why', () => {
    for (const id of [
      '',
      '../x',
      'a//b',
      'org/name/extra',
      '/name',
      'org/',
      'has space/name',
      'org/na me',
      'org--x/name',
      'org/na..me',
      '-org/name',
      'org/name-',
      '.hidden',
      'org/name.',
      'org/name.git',
      'org/naïve',
      'a'.repeat(97),
    ]) {
      assert.throws(() => validateRepoId(id), ValidationError, `expected ${JSON.stringify(id)} to be refused`);
    }
    assert.throws(() => validateRepoId('../x'), /invalid model name "\.\.\/x": a Hugging Face repo id has/);
  });

  test('refuses a repo id that is not a string', () => {
    assert.throws(() => validateRepoId(42), ValidationError);
    assert.throws(() => validateRepoId(null), ValidationError);
  });
});

describe('time validation', () => {
  test('accepts every time from 00:00 to 23:59', () => {
    for (let hour = 0; hour < 24; hour++) {
      for (let minute = 0; minute < 60; minute++) {
        const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
        assert.equal(validateTime(time), time);
      }
    }
  });

  test('refuses times outside HH:MM or past 23:59', () => {
    for (const time of ['24:00', '7:00', '07:0', '12:60', '99:99', '0700', '07:00:00', ' 07:00', '', 'ab:cd']) {
      assert.throws(() => validateTime(time), ValidationError, `expected ${JSON.stringify(time)} to be refused`);
    }
  });
});

describe('day of week validation', () => {
  test('accepts 0 (Sunday) to 6 (Saturday) and refuses anything else', () => {
    for (let day = 0; day <= 6; day++) assert.equal(validateDayOfWeek(day), day);
    for (const day of [-1, 7, 1.5, Number.NaN, '1']) {
      assert.throws(() => validateDayOfWeek(day), /0 \(Sunday\) to 6 \(Saturday\)/);
    }
  });
});

describe('download option validation', () => {
  test('accepts cron patterns croner parses, with or without seconds', () => {
    assert.equal(validateCronPattern('0 2 * * *'), '0 2 * * *');
    assert.equal(validateCronPattern('30 0 2 * * 1-5'), '30 0 2 * * 1-5');
  });

  test('refuses a cron pattern croner cannot parse', () => {
    assert.throws(() => validateCronPattern('0 25 * * *'), /cron pattern "0 25 \* \* \*" is not valid/);
    assert.throws(() => validateCronPattern('every night'), ValidationError);
    assert.throws(() => validateCronPattern(''), ValidationError);
  });

  test('accepts branch, tag, pull request and commit revisions, and refuses malformed ones', () => {
    for (const revision of ['main', 'v1.0', 'refs/pr/1', 'a'.repeat(40)])
      assert.equal(validateRevision(revision), revision);
    for (const revision of ['', 'has space', 'a..b', 'tab\there']) {
      assert.throws(() => validateRevision(revision), ValidationError);
    }
  });

  test('accepts a list of glob patterns and refuses anything else', () => {
    assert.deepEqual(validatePatterns(['*.safetensors', 'config.json'], 'include patterns'), [
      '*.safetensors',
      'config.json',
    ]);
    assert.throws(() => validatePatterns('*.bin', 'include patterns'), ValidationError);
    assert.throws(() => validatePatterns([''], 'include patterns'), ValidationError);
    assert.throws(() => validatePatterns([3], 'include patterns'), ValidationError);
  });
});
