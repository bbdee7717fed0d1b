/**
 * Every time the CLI prints for people is in `scheduler.timezone` and says
 * so, whatever the machine's zone: here the CLI and the daemon run with
 * TZ=UTC and the setting is Asia/Tokyo (UTC+9, no daylight saving), so each
 * printed time must be the stored UTC time plus 9 hours, labelled. JSON keeps
 * ISO 8601 UTC.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonOutput, runCli } from '../support/cli.js';
import { createDaemonFixture, type DaemonFixture } from '../daemon/daemon-fixture.js';
import { startDaemon } from '../daemon/daemon-process.js';

const ZONE = 'Asia/Tokyo';
const ZONE_RE = 'Asia\\/Tokyo';

/** A UTC instant as Tokyo's wall clock reads it: "YYYY-MM-DD HH:MM:SS". */
function tokyo(utc: string): string {
  const at = Date.parse(utc.includes('T') ? utc : `${utc.replace(' ', 'T')}Z`);
  return new Date(at + 9 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

let fixture: DaemonFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

test('with TZ=UTC and scheduler.timezone Asia/Tokyo, history, model show, status, schedule list and run-now print Tokyo times, labelled', async () => {
  fixture = await createDaemonFixture([{ id: 'org/alpha', files: { 'config.json': '{}' } }]);
  const f = fixture;
  f.db.store.config.set('scheduler.timezone', ZONE);
  const env = { ...f.env, TZ: 'UTC' };
  const run = (args: string[]) => runCli(args, { dbPath: f.db.dbPath, env });

  // A download session with its times, by pull.
  assert.equal((await run(['pull', 'org/alpha'])).code, 0);
  const model = f.model('org/alpha');
  const session = f.db.store.downloads.history(model.id)[0]!;

  const history = await run(['history', 'org/alpha']);
  assert.match(history.stdout, new RegExp(`^SESSION +STATUS +STARTED \\(${ZONE_RE}\\) +ENDED \\(${ZONE_RE}\\) `, 'm'));
  assert.ok(history.stdout.includes(tokyo(session.startedAt)), history.stdout);
  assert.ok(history.stdout.includes(tokyo(session.completedAt!)), history.stdout);

  const show = await run(['model', 'show', 'org/alpha']);
  assert.match(show.stdout, new RegExp(`^Created: +${tokyo(model.createdAt)} ${ZONE_RE}$`, 'm'));
  assert.match(show.stdout, new RegExp(`^Updated: +${tokyo(model.updatedAt)} ${ZONE_RE}$`, 'm'));

  // 01:30 in Tokyo is 16:30 UTC: the schedule's times are Tokyo's.
  const nightly = f.db.store.schedules.create({ name: 'nightly', type: 'daily', time: '01:30', windowMinutes: 240 });
  f.db.store.schedules.enable(nightly.id);
  const list = await run(['schedule', 'list']);
  assert.match(list.stdout, new RegExp(`NEXT RUN \\(${ZONE_RE}\\)\\n1 .* \\w{3} \\d{4}-\\d\\d-\\d\\d 01:30$`, 'm'));
  const listed = parseJsonOutput<{ nextRuns: string[] }[]>(await run(['schedule', 'list', '--json']));
  assert.match(listed[0]!.nextRuns[0]!, /^\d{4}-\d\d-\d\dT16:30:00\.000Z$/, 'JSON stays UTC');

  const status = await run(['status']);
  assert.match(status.stdout, new RegExp(`^Next run: +\\d{4}-\\d\\d-\\d\\d 01:30:00 ${ZONE_RE}$`, 'm'));
  const report = parseJsonOutput<{ nextRunAt: string; timezone: string }>(await run(['status', '--json']));
  assert.match(report.nextRunAt, /T16:30:00\.000Z$/);
  assert.equal(report.timezone, ZONE);

  // run-now opens the window for 4 h from now: its end is said in Tokyo's time.
  const daemon = startDaemon(f.db.dbPath, env);
  try {
    await daemon.waitForLog((line) => line.msg === 'daemon started');
    const before = Date.now();
    const runNow = await run(['run-now']);
    assert.equal(runNow.code, 0, runNow.stderr);
    const end = tokyo(new Date(before + 240 * 60_000).toISOString()).slice(11, 16);
    const endLater = tokyo(new Date(Date.now() + 240 * 60_000).toISOString()).slice(11, 16);
    assert.match(runNow.stdout, new RegExp(`window until (${end}|${endLater}) ${ZONE_RE}`));
  } finally {
    await daemon.kill();
  }
});
