import { hideUrlCredentials } from '../../src/system/url-credentials.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SETTING_DEFAULTS } from '../../src/config/setting-table.js';
import {
  describeSetting,
  describeSettings,
  machineTimeZone,
  readSettings,
  setSetting,
  settingKeys,
} from '../../src/config/settings.js';
import { ValidationError } from '../../src/errors.js';
import { createTempDatabase, type TempDatabase } from '../support/temp-db.js';

/** For every key: values `config set` accepts (with what is stored) and values it refuses. */
const CASES: Record<string, { accepted: [string, string][]; refused: string[] }> = {
  'hub.endpoint': {
    accepted: [
      ['https://hf-mirror.com/', 'https://hf-mirror.com'],
      ['http://127.0.0.1:8080/hub', 'http://127.0.0.1:8080/hub'],
    ],
    refused: ['ftp://hf-mirror.com', 'huggingface.co', 'https://user:pw@hf.co', 'https://hf.co/?x=1', ''],
  },
  'hub.cache_dir': {
    accepted: [
      ['/data/hf/hub/', '/data/hf/hub'],
      ['', ''],
    ],
    refused: ['relative/hub', '~/hub'],
  },
  'hub.proxy': {
    accepted: [
      ['http://proxy.corp:3128/', 'http://proxy.corp:3128'],
      ['proxy.corp:3128', 'http://proxy.corp:3128'],
      ['https://proxy.corp', 'https://proxy.corp'],
      ['DIRECT', 'direct'],
      ['', ''],
    ],
    refused: ['socks5://proxy.corp:1080', 'http://proxy.corp/path', 'http://'],
  },
  'hub.ca_bundle': {
    accepted: [
      ['/etc/ssl/corp-ca.pem', '/etc/ssl/corp-ca.pem'],
      ['', ''],
    ],
    refused: ['corp-ca.pem'],
  },
  'download.max_retries': {
    accepted: [
      ['0', '0'],
      ['100', '100'],
    ],
    refused: ['-1', '101', '2.5', 'five'],
  },
  'download.concurrent_files': {
    accepted: [
      ['1', '1'],
      ['64', '64'],
    ],
    refused: ['0', '65', ''],
  },
  'download.connections_per_file': {
    accepted: [
      ['1', '1'],
      ['16', '16'],
    ],
    refused: ['0', '17'],
  },
  'download.multipart_threshold_bytes': {
    accepted: [
      ['64MiB', String(64 * 1024 * 1024)],
      ['1048576', '1048576'],
    ],
    refused: ['1000', '1KB', 'big', '-5MiB'],
  },
  'download.bandwidth_limit': {
    accepted: [
      ['0', '0'],
      ['20MB', '20000000'],
      ['1.5 MiB', String(1.5 * 1024 * 1024)],
    ],
    refused: ['-1', 'fast', '10 parsecs'],
  },
  'download.stall_timeout_seconds': {
    accepted: [
      ['5', '5'],
      ['3600', '3600'],
    ],
    refused: ['4', '3601', '1m'],
  },
  'download.min_free_bytes': {
    accepted: [
      ['0', '0'],
      ['2GiB', String(2 * 1024 ** 3)],
    ],
    refused: ['-1', 'lots'],
  },
  'cache.keep_revisions': {
    accepted: [
      ['1', '1'],
      ['2', '2'],
    ],
    refused: ['0', '-1', 'all'],
  },
  'cache.max_bytes': {
    accepted: [
      ['0', '0'],
      ['500GB', String(500 * 1000 ** 3)],
    ],
    refused: ['-1', '10%'],
  },
  'scheduler.timezone': {
    accepted: [
      ['Europe/Paris', 'Europe/Paris'],
      ['UTC', 'UTC'],
      ['', ''],
    ],
    refused: ['Mars/Olympus_Mons', 'GMT+25'],
  },
  'log.level': {
    accepted: [
      ['debug', 'debug'],
      ['WARN', 'warn'],
      ['silent', 'silent'],
    ],
    refused: ['verbose', ''],
  },
  'http.port': {
    accepted: [
      ['0', '0'],
      ['9464', '9464'],
      ['65535', '65535'],
    ],
    refused: ['65536', '-1', 'http'],
  },
  'http.host': {
    accepted: [
      ['0.0.0.0', '0.0.0.0'],
      ['::1', '::1'],
      ['localhost', 'localhost'],
    ],
    refused: ['', 'not a host', 'http://127.0.0.1'],
  },
  'serve.listen': {
    accepted: [
      ['', ''],
      [' 127.0.0.1:8090 ', '127.0.0.1:8090'],
      ['0.0.0.0:80', '0.0.0.0:80'],
      ['[::1]:8090', '[::1]:8090'],
      ['mirror.local:8090', 'mirror.local:8090'],
    ],
    refused: ['8090', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:65536', '::1:8090', 'http://127.0.0.1:8090'],
  },
  'serve.expose': {
    accepted: [
      ['', ''],
      ['org/*', 'org/*'],
      ['org/*, other/model  datasets/org/*', 'org/*,other/model,datasets/org/*'],
    ],
    refused: ['org/\u0000x'],
  },
  'serve.tokens_file': {
    accepted: [
      ['', ''],
      ['/etc/hfsched/tokens/', '/etc/hfsched/tokens'],
    ],
    refused: ['tokens.txt', './tokens'],
  },
};

describe('settings validation', () => {
  let db: TempDatabase;
  before(() => {
    db = createTempDatabase();
  });
  after(() => db.cleanup());

  test('every documented setting has validation cases, and every case a documented setting', () => {
    assert.deepEqual(Object.keys(CASES).sort(), settingKeys().sort());
    assert.deepEqual(settingKeys().sort(), SETTING_DEFAULTS.map((entry) => entry.key).sort());
  });

  for (const [key, { accepted, refused }] of Object.entries(CASES)) {
    test(`config set ${key} stores valid values in their canonical form`, () => {
      for (const [input, stored] of accepted) {
        assert.equal(setSetting(db.store, key, input), stored, `input ${JSON.stringify(input)}`);
        assert.equal(db.store.config.get(key), stored);
      }
    });

    test(`config set ${key} refuses bad values with the reason, changing nothing`, () => {
      const before = db.store.config.get(key);
      for (const input of refused) {
        assert.throws(
          () => setSetting(db.store, key, input),
          (error: unknown) => {
            assert.ok(error instanceof ValidationError, `input ${JSON.stringify(input)}`);
            assert.ok(
              // A URL's credentials are shown as ***@ (test/config/credential-redaction.test.ts).
              error.message.startsWith(`${key}: ${JSON.stringify(hideUrlCredentials(input))} is not valid; expected `),
              error.message,
            );
            return true;
          },
        );
        assert.equal(db.store.config.get(key), before);
      }
    });
  }

  test('every default value passes its own validation', () => {
    for (const { key, value } of SETTING_DEFAULTS) {
      assert.equal(setSetting(db.store, key, value), value, key);
    }
  });

  test('an unknown key is refused and the known keys are listed', () => {
    assert.throws(
      () => setSetting(db.store, 'download.speed', '1'),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.match(
          error.message,
          /^unknown setting "download.speed"; known settings: hub.endpoint, hub.cache_dir, hub.proxy, hub.ca_bundle, /,
        );
        return true;
      },
    );
    assert.equal(db.store.config.get('download.speed'), null);
  });
});

describe('effective settings', () => {
  let db: TempDatabase;
  before(() => {
    db = createTempDatabase();
  });
  after(() => db.cleanup());

  test('a fresh database reads every default, typed', () => {
    const settings = readSettings(db.store, {});
    assert.equal(settings.hubEndpoint, 'https://huggingface.co');
    assert.equal(settings.hubCacheDir, null);
    assert.equal(settings.downloadMaxRetries, 5);
    assert.equal(settings.downloadMultipartThresholdBytes, 64 * 1024 * 1024);
    assert.equal(settings.downloadBandwidthLimit, 0);
    assert.equal(settings.logLevel, 'info');
    assert.equal(settings.httpPort, 0);
    assert.equal(settings.httpHost, '127.0.0.1');
  });

  test("an empty time zone means the machine's zone", () => {
    assert.equal(readSettings(db.store, {}).schedulerTimezone, machineTimeZone());
  });

  test('every setting of a fresh database comes from the default', () => {
    assert.deepEqual(
      describeSettings(db.store, {}).filter((row) => row.source !== 'default'),
      [],
    );
  });

  test('a value set in the database is read and reported as coming from the database', () => {
    setSetting(db.store, 'download.concurrent_files', '8');
    assert.equal(readSettings(db.store, {}).downloadConcurrentFiles, 8);
    assert.equal(describeSetting(db.store, 'download.concurrent_files', {}).source, 'database');
  });

  test('a database value equal to the default is reported as the default', () => {
    setSetting(db.store, 'download.max_retries', '5');
    assert.equal(describeSetting(db.store, 'download.max_retries', {}).source, 'default');
  });

  test('HF_ENDPOINT overrides hub.endpoint', () => {
    setSetting(db.store, 'hub.endpoint', 'https://db-mirror.example');
    const env = { HF_ENDPOINT: 'http://127.0.0.1:9000/' };
    assert.equal(readSettings(db.store, env).hubEndpoint, 'http://127.0.0.1:9000');
    const row = describeSetting(db.store, 'hub.endpoint', env);
    assert.equal(row.source, 'environment');
    assert.equal(row.envVar, 'HF_ENDPOINT');
  });

  test('a refused hub.proxy with a password is shown without it', () => {
    assert.throws(
      () => setSetting(db.store, 'hub.proxy', 'http://user:s3cret@proxy.corp:3128'),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.message.startsWith('hub.proxy: "http://***@proxy.corp:3128" is not valid'),
    );
  });

  test('HF_HUB_CACHE overrides hub.cache_dir', () => {
    assert.equal(readSettings(db.store, { HF_HUB_CACHE: '/srv/hub' }).hubCacheDir, '/srv/hub');
  });

  test('HFSCHED_LOG_LEVEL overrides log.level', () => {
    setSetting(db.store, 'log.level', 'warn');
    assert.equal(readSettings(db.store, { HFSCHED_LOG_LEVEL: 'debug' }).logLevel, 'debug');
    assert.equal(readSettings(db.store, {}).logLevel, 'warn');
  });

  test('an empty environment variable does not override', () => {
    setSetting(db.store, 'hub.endpoint', 'https://db-mirror.example');
    assert.equal(readSettings(db.store, { HF_ENDPOINT: '' }).hubEndpoint, 'https://db-mirror.example');
  });

  test('a bad value in an overriding variable is refused naming the variable', () => {
    assert.throws(() => readSettings(db.store, { HF_ENDPOINT: 'ftp://mirror' }), {
      name: 'ValidationError',
      message: /^environment variable HF_ENDPOINT="ftp:\/\/mirror" \(for hub.endpoint\) is not valid; expected an http/,
    });
  });

  test('a bad value written to the database behind our back is reported with the fix', () => {
    db.store.config.set('download.connections_per_file', 'many');
    try {
      assert.throws(() => readSettings(db.store, {}), {
        name: 'ValidationError',
        message:
          /setting download.connections_per_file holds "many" in the database.*hfsched config set download.connections_per_file <value>$/,
      });
    } finally {
      db.store.config.set('download.connections_per_file', '4');
    }
  });

  test('only http.port, http.host and serve.listen need a restart to take effect', () => {
    assert.deepEqual(
      describeSettings(db.store, {})
        .filter((row) => !row.live)
        .map((row) => row.key),
      ['http.port', 'http.host', 'serve.listen'],
    );
  });
});
