import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelSetFileError, parseModelSetFile } from '../../src/apply/model-set-file.js';

function errorOf(text: string): string {
  try {
    parseModelSetFile(text, 'hfsched.yaml');
  } catch (error) {
    assert.ok(error instanceof ModelSetFileError, String(error));
    return error.message;
  }
  assert.fail('the file was accepted');
}

describe('reading a model set file', () => {
  test('an empty file is an empty model set', () => {
    const file = parseModelSetFile('', 'hfsched.yaml');
    assert.deepEqual(file.models, []);
    assert.equal(file.schedule, undefined);
    assert.deepEqual(file.settings, []);
  });

  test('a model entry takes defaults for what it leaves out', () => {
    const [model] = parseModelSetFile('models:\n  - repo: org/tiny\n', 'hfsched.yaml').models;
    assert.deepEqual(model, {
      repo: 'org/tiny',
      type: 'model',
      revision: null,
      include: [],
      exclude: [],
      track: null,
      line: 2,
    });
  });

  test('settings are stored in their canonical form', () => {
    const file = parseModelSetFile('settings:\n  download.bandwidth_limit: 1 MiB\n  hub.cache_dir:\n', 'f.yaml');
    assert.deepEqual(
      file.settings.map(({ key, value }) => [key, value]),
      [
        ['download.bandwidth_limit', '1048576'],
        ['hub.cache_dir', ''],
      ],
    );
  });

  test('a weekly schedule takes a day name and a window length', () => {
    const file = parseModelSetFile('schedule:\n  weekly: sat@23:00\n  for: 8h\n', 'f.yaml');
    assert.equal(file.schedule?.type, 'weekly');
    assert.equal(file.schedule?.dayOfWeek, 6);
    assert.equal(file.schedule?.time, '23:00');
    assert.equal(file.schedule?.windowMinutes, 480);
    assert.equal(file.schedule?.name, 'default');
  });

  test('broken YAML is reported with its line and column', () => {
    assert.match(errorOf('models:\n  - repo: org/a\n    include: [x\n'), /^hfsched\.yaml:4:1: not valid YAML: /);
  });

  test('a bad repo id names the line of the value', () => {
    assert.equal(
      errorOf('models:\n  - repo: org/a\n  - repo: bad//x\n'),
      'hfsched.yaml:3:11: invalid model name "bad//x": a Hugging Face repo id has at most one "/" (namespace/name), e.g. "org/name"',
    );
  });

  test('a misspelt key is refused rather than ignored', () => {
    assert.match(
      errorOf('models:\n  - repo: org/a\n    revison: v1\n'),
      /^hfsched\.yaml:3:5: models\[0\]: unknown key "revison"/,
    );
    assert.match(errorOf('model:\n  - repo: org/a\n'), /^hfsched\.yaml:1:1: hfsched\.yaml: unknown key "model"/);
  });

  test('an unknown setting and a bad setting value name their lines', () => {
    assert.match(
      errorOf('settings:\n  hub.endpont: https://x\n'),
      /^hfsched\.yaml:2:3: unknown setting "hub\.endpont"/,
    );
    assert.equal(
      errorOf('settings:\n  download.max_retries: lots\n'),
      'hfsched.yaml:2:25: download.max_retries: "lots" is not valid; expected a whole number from 0 to 100',
    );
  });

  test('a repo listed twice names both lines', () => {
    assert.equal(
      errorOf('models:\n  - repo: org/a\n  - repo: org/b\n  - repo: org/a\n'),
      'hfsched.yaml:4:5: model "org/a" is listed twice (first on line 2)',
    );
  });

  test('a schedule needs exactly one of daily, weekly and cron', () => {
    assert.match(errorOf('schedule:\n  name: x\n'), /^hfsched\.yaml:2:3: schedule: give exactly one of daily/);
    assert.match(
      errorOf('schedule:\n  daily: "01:00"\n  cron: "0 1 * * *"\n'),
      /^hfsched\.yaml:3:3: schedule: give exactly one/,
    );
    assert.match(errorOf('schedule:\n  daily: "25:00"\n'), /^hfsched\.yaml:2:10: schedule: time "25:00" is not valid/);
  });

  test('a key given twice is refused', () => {
    assert.match(
      errorOf('models:\n  - repo: org/a\n    repo: org/b\n'),
      /^hfsched\.yaml:3:5: not valid YAML: Map keys must be unique/,
    );
  });

  test('a repo type other than model or dataset, and tracking a commit, are refused with their line', () => {
    assert.match(
      errorOf('models:\n  - repo: org/a\n    type: space\n'),
      /^hfsched\.yaml:3:11: models\[0\]\.type: "space" is not a repo type/,
    );
    assert.match(
      errorOf(`models:\n  - repo: org/a\n    revision: ${'a'.repeat(40)}\n    track: true\n`),
      /^hfsched\.yaml:4:12: models\[0\]\.track: revision a{40} is a commit, which never moves/,
    );
  });

  test('a model and a dataset may share a repo id', () => {
    const file = parseModelSetFile('models:\n  - repo: org/a\n  - repo: org/a\n    type: dataset\n', 'f.yaml');
    assert.deepEqual(
      file.models.map((model) => model.type),
      ['model', 'dataset'],
    );
  });

  test('unquoted numbers keep the text the file wrote: revision 1.10, a 40-digit commit, 0o17, 1e3', () => {
    const commit = '1234567890123456789012345678901234567890';
    const file = parseModelSetFile(
      [
        'models:',
        '  - repo: org/a',
        '    revision: 1.10',
        '  - repo: org/b',
        `    revision: ${commit}`,
        '  - repo: org/c',
        '    revision: 0o17',
        '    include: [1e3, 0x1F]',
        '    exclude: 2.50',
        '  - repo: 1e3',
        '    revision: true',
        '',
      ].join('\n'),
      'hfsched.yaml',
    );
    assert.deepEqual(
      file.models.map(({ repo, revision, include, exclude }) => [repo, revision, include, exclude]),
      [
        ['org/a', '1.10', [], []],
        ['org/b', commit, [], []],
        ['org/c', '0o17', ['1e3', '0x1F'], ['2.50']],
        ['1e3', 'true', [], []],
      ],
    );
  });

  test('a schedule name is checked when the file is read, with its line, so --dry-run refuses it too', () => {
    const name = 'x'.repeat(201);
    assert.match(
      errorOf(`schedule:\n  daily: "01:30"\n  name: ${name}\n`),
      /^hfsched\.yaml:3:9: schedule: invalid schedule name "x{201}": expected 1 to 200 printable characters$/,
    );
    assert.match(
      errorOf('schedule:\n  name: "night\\a"\n  daily: "01:30"\n'),
      /^hfsched\.yaml:2:9: schedule: invalid schedule name "night\\u0007"/,
    );
    assert.equal(parseModelSetFile('schedule:\n  name: 2024\n  cron: "0 1 * * *"\n', 'f.yaml').schedule?.name, '2024');
  });

  test("a file larger than 1 MiB (a ConfigMap's limit) is refused unread", () => {
    const big = `# ${'x'.repeat(1024 * 1024)}\nmodels: []\n`;
    assert.match(errorOf(big), /^hfsched\.yaml: the file is larger than 1 MiB/);
  });

  test('a revision git would refuse, that can never be fetched, is refused with its line', () => {
    const refused = ['/etc/passwd', './.', 'main/', 'a//b', 'refs/heads/.hidden', 'v1.lock', 'x@{1}', 'a:b', 'v1.'];
    for (const revision of refused) {
      assert.match(
        errorOf(`models:\n  - repo: org/a\n    revision: "${revision}"\n`),
        /^hfsched\.yaml:3:15: invalid revision .*git ref/,
        revision,
      );
    }
    const fine = ['main', 'v1.0', 'refs/pr/1', 'refs/convert/parquet', 'a'.repeat(40), 'release-2024.05'];
    const file = parseModelSetFile(
      `models:\n${fine.map((revision, index) => `  - repo: org/m${index}\n    revision: "${revision}"\n`).join('')}`,
      'f.yaml',
    );
    assert.deepEqual(
      file.models.map((model) => model.revision),
      fine,
    );
  });

  test('only a models list, even an empty one, counts as listing the models', () => {
    const listed = (text: string) => parseModelSetFile(text, 'f.yaml').modelsListed;
    assert.equal(listed(''), false);
    assert.equal(listed('models:\n'), false);
    assert.equal(listed('settings:\n  log.level: info\n'), false);
    assert.equal(listed('models: []\n'), true);
    assert.equal(listed('models:\n  - repo: org/a\n'), true);
  });
});
