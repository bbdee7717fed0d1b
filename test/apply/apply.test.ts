import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyModelSet } from '../../src/apply/apply-changes.js';
import { parseModelSetFile } from '../../src/apply/model-set-file.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

const MODEL_SET = `
version: 1
models:
  - repo: org/tiny
    include: ["*.safetensors", "*.json"]
  - repo: org/pinned
    revision: v1.0
    exclude: "*.bin"
schedule:
  name: nightly
  daily: "01:30"
  until: "06:00"
  max_concurrent_downloads: 2
settings:
  download.bandwidth_limit: 50MiB
  scheduler.timezone: UTC
`;

/** Every row of every table, to show that a run changed nothing at all (timestamps included). */
function everyRow(db: TempDatabase): unknown {
  const tables = ['models', 'schedule_configurations', 'download_sessions', 'system_configurations'];
  return Object.fromEntries(tables.map((table) => [table, db.sql().prepare(`SELECT * FROM ${table}`).all()]));
}

describe('applying a model set file', () => {
  let db: TempDatabase;
  const apply = (text: string, prune = false) =>
    applyModelSet(db.store, parseModelSetFile(text, 'hfsched.yaml'), { prune });
  beforeEach(() => {
    db = createTempDatabase();
  });
  afterEach(() => db.cleanup());

  test('a first run creates the models, the enabled schedule and the settings of the file', () => {
    const plan = apply(MODEL_SET);
    assert.deepEqual(
      plan.steps.map((step) => step.action),
      ['add-model', 'add-model', 'add-schedule', 'set-setting', 'set-setting'],
    );
    const tiny = db.store.models.byName('org/tiny');
    assert.deepEqual(tiny?.includePatterns, ['*.safetensors', '*.json']);
    const pinned = db.store.models.byName('org/pinned');
    assert.equal(pinned?.revision, 'v1.0');
    assert.deepEqual(pinned?.excludePatterns, ['*.bin']);
    const schedule = db.store.schedules.active();
    assert.equal(schedule?.name, 'nightly');
    assert.equal(schedule?.time, '01:30');
    assert.equal(schedule?.windowEnd, '06:00');
    assert.equal(schedule?.maxConcurrentDownloads, 2);
    assert.equal(db.store.config.get('download.bandwidth_limit'), String(50 * 1024 * 1024));
  });

  test('a second run of the same file plans nothing and changes no row', () => {
    apply(MODEL_SET);
    const before = everyRow(db);
    const plan = apply(MODEL_SET);
    assert.deepEqual(plan.steps, []);
    assert.deepEqual(everyRow(db), before);
  });

  test('a changed pattern updates the model and queues a completed model again', () => {
    apply(MODEL_SET);
    const tiny = db.store.models.byName('org/tiny');
    assert.ok(tiny);
    const session = db.store.downloads.begin({ modelId: tiny.id, scheduleId: null });
    db.store.downloads.complete(session.id, { downloadPath: '/cache/snap', sizeBytes: 10 });
    const plan = apply(MODEL_SET.replace('["*.safetensors", "*.json"]', '["*.safetensors"]'));
    assert.deepEqual(
      plan.steps.map((step) => step.action),
      ['change-model'],
    );
    const changed = db.store.models.byName('org/tiny');
    assert.deepEqual(changed?.includePatterns, ['*.safetensors']);
    assert.equal(changed?.status, 'pending');
  });

  test('a model that is not listed any more stays without --prune and goes with it', () => {
    apply(MODEL_SET);
    const withoutPinned = MODEL_SET.replace(/ {2}- repo: org\/pinned\n.*\n.*\n/, '');
    assert.deepEqual(apply(withoutPinned).steps, []);
    assert.ok(db.store.models.byName('org/pinned'));
    const plan = apply(withoutPinned, true);
    assert.deepEqual(
      plan.steps.map((step) => step.action),
      ['remove-model'],
    );
    assert.equal(db.store.models.byName('org/pinned'), null);
    assert.ok(db.store.models.byName('org/tiny'));
  });

  test('--prune never removes a model that is downloading, and says so', () => {
    apply(MODEL_SET);
    const pinned = db.store.models.byName('org/pinned');
    assert.ok(pinned);
    db.store.downloads.begin({ modelId: pinned.id, scheduleId: null });
    const plan = apply(MODEL_SET.replace(/ {2}- repo: org\/pinned\n.*\n.*\n/, ''), true);
    assert.deepEqual(plan.steps, []);
    assert.match(plan.warnings[0] ?? '', /^model org\/pinned is downloading: it is not removed/);
    assert.equal(db.store.models.byName('org/pinned')?.status, 'downloading');
  });

  test('the schedule of the file is enabled and the one enabled before is disabled', () => {
    const other = db.store.schedules.create({ name: 'manual', type: 'weekly', time: '03:00', dayOfWeek: 0 });
    db.store.schedules.enable(other.id);
    apply(MODEL_SET);
    assert.equal(db.store.schedules.active()?.name, 'nightly');
    assert.equal(db.store.schedules.get(other.id)?.enabled, false);
  });

  test('a schedule that changes from daily to cron is replaced under the same name', () => {
    apply(MODEL_SET);
    const plan = apply(MODEL_SET.replace('daily: "01:30"', 'cron: "0 1 * * 1-5"'));
    assert.deepEqual(
      plan.steps.map((step) => step.action),
      ['replace-schedule'],
    );
    const schedules = db.store.schedules.list();
    assert.equal(schedules.length, 1);
    assert.equal(schedules[0]?.type, 'custom');
    assert.equal(schedules[0]?.cronPattern, '0 1 * * 1-5');
    assert.equal(schedules[0]?.enabled, true);
  });

  test('a file without a schedule section leaves the schedules alone', () => {
    const existing = db.store.schedules.create({ name: 'manual', type: 'daily', time: '02:00' });
    const plan = apply('models:\n  - repo: org/tiny\n');
    assert.deepEqual(
      plan.steps.map((step) => step.action),
      ['add-model'],
    );
    assert.deepEqual(db.store.schedules.list(), [existing]);
  });

  test('a dataset and a pinned model are created as the file says, and a second run changes nothing', () => {
    const text = `models:
  - repo: org/tiny
    type: dataset
  - repo: org/pinned
    revision: v1.0
    track: false
`;
    apply(text);
    const dataset = db.store.models.byName('org/tiny', 'dataset');
    assert.equal(dataset?.repoType, 'dataset');
    assert.equal(db.store.models.byName('org/tiny', 'model'), null);
    assert.equal(db.store.models.byName('org/pinned')?.tracking, false);
    const before = everyRow(db);
    assert.deepEqual(apply(text).steps, []);
    assert.deepEqual(everyRow(db), before);
  });

  test('changing track updates the model, and a commit revision is pinned by default', () => {
    apply('models:\n  - repo: org/tiny\n');
    assert.equal(db.store.models.byName('org/tiny')?.tracking, true);
    const plan = apply('models:\n  - repo: org/tiny\n    track: false\n');
    assert.deepEqual(
      plan.steps.map((step) => step.action),
      ['change-model'],
    );
    assert.equal(db.store.models.byName('org/tiny')?.tracking, false);
    apply(`models:\n  - repo: org/tiny\n    revision: ${'c'.repeat(40)}\n`);
    assert.equal(db.store.models.byName('org/tiny')?.tracking, false);
  });

  test('--prune tells a dataset from a model of the same repo id', () => {
    apply('models:\n  - repo: org/tiny\n  - repo: org/tiny\n    type: dataset\n');
    const plan = apply('models:\n  - repo: org/tiny\n    type: dataset\n', true);
    assert.deepEqual(
      plan.steps.map((step) => step.action),
      ['remove-model'],
    );
    assert.equal(db.store.models.byName('org/tiny', 'model'), null);
    assert.ok(db.store.models.byName('org/tiny', 'dataset'));
  });
});
