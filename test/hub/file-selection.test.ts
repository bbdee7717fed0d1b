/**
 * The official client cannot run here, so these tests state huggingface_hub's
 * documented rule (filter_repo_objects: a trailing "/" gets "*", then
 * fnmatch.fnmatchcase on the whole path) and the answers Python's fnmatch
 * gives for each case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectFiles } from '../../src/hub/file-selection.js';
import { fnmatchcase } from '../../src/hub/fnmatch.js';

const REPO = [
  'README.md',
  'config.json',
  'model.safetensors',
  'nested/notes.txt',
  'nested/deeper/notes.txt',
  'onnx/model.onnx',
  'onnx/extra/data.bin',
  'unet/config.json',
  'Tokenizer.JSON',
  '.gitattributes',
];

function selected(include: string[], exclude: string[] = []): string[] {
  return selectFiles(
    REPO.map((path) => ({ path })),
    include,
    exclude,
  ).map((file) => file.path);
}

test('as huggingface_hub: "*" crosses "/", so nested/* selects files in deeper folders too', () => {
  assert.deepEqual(selected(['nested/*']), ['nested/notes.txt', 'nested/deeper/notes.txt']);
  assert.deepEqual(selected(['*.json']), ['config.json', 'unet/config.json']);
  assert.deepEqual(selected(['*/notes.txt']), ['nested/notes.txt', 'nested/deeper/notes.txt']);
});

test('as huggingface_hub: a pattern without a wildcard is a whole path, so config.json is only the top-level one', () => {
  assert.deepEqual(selected(['config.json']), ['config.json']);
  assert.deepEqual(selected(['notes.txt']), []);
});

test('as huggingface_hub: a pattern ending in "/" selects the folder\'s contents, at every depth', () => {
  assert.deepEqual(selected(['onnx/']), ['onnx/model.onnx', 'onnx/extra/data.bin']);
  assert.deepEqual(selected([], ['onnx/', 'nested/']), [
    'README.md',
    'config.json',
    'model.safetensors',
    'unet/config.json',
    'Tokenizer.JSON',
    '.gitattributes',
  ]);
});

test('as huggingface_hub: matching is case-sensitive, dot files match "*", and braces are literal', () => {
  assert.deepEqual(selected(['*.json', '*.JSON']), ['config.json', 'unet/config.json', 'Tokenizer.JSON']);
  assert.deepEqual(selected(['*attributes']), ['.gitattributes']);
  assert.deepEqual(selected(['*.{json,md}']), []);
});

test('as huggingface_hub: a backslash counts as "/" (patterns built with os.path.join on Windows)', () => {
  assert.deepEqual(selected(['unet\\config.json']), ['unet/config.json']);
});

test('as Python fnmatch.fnmatchcase: "?", sets, negated sets, ranges and their edge cases', () => {
  const cases: Array<[string, string, boolean]> = [
    ['a?c', 'abc', true],
    ['a?c', 'a/c', true],
    ['a?c', 'ac', false],
    ['[abc].txt', 'b.txt', true],
    ['[!abc].txt', 'b.txt', false],
    ['[!abc].txt', 'd.txt', true],
    ['[a-c]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['[]]', ']', true], // "]" first in a set is a member
    ['[!]]', 'a', true],
    ['[!]]', ']', false],
    ['[-a]', '-', true], // "-" first is a literal
    ['[a-]', '-', true], // and last
    ['[a-c-e]', '-', true], // a "-" right after a range is a literal
    ['[a-c-e]', 'd', false],
    ['[z-a]', 'z', false], // an empty range never matches
    ['[z-a]', 'm', false],
    ['[!z-a]', 'm', true], // ... and its negation matches any character
    ['[z-a!]', 'q', true], // translate's quirk: the set reduces to "!" and matches any character
    ['[abc', '[abc', true], // an unclosed "[" is a literal
    ['[abc', 'a', false],
    ['a\\b', 'a\\b', true], // "\" is no escape in fnmatch
    ['*a*a*a*a*b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', false],
    ['**', 'a/b/c', true],
    ['', '', true],
    ['', 'a', false],
    ['é*', 'été', true],
    ['?', '😀', true], // one character, not one UTF-16 unit
  ];
  for (const [pattern, path, expected] of cases) {
    assert.equal(
      fnmatchcase(pattern)(path),
      expected,
      `fnmatchcase(${JSON.stringify(path)}, ${JSON.stringify(pattern)})`,
    );
  }
});
