import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readToken, resolveHubLocation } from '../../src/config/hub-location.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'hfsched-location-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const defaults = { hubEndpoint: 'https://huggingface.co', hubCacheDir: null };

test('HF_ENDPOINT overrides the hub.endpoint setting, without a trailing slash', () => {
  assert.equal(resolveHubLocation(defaults, {}).endpoint, 'https://huggingface.co');
  assert.equal(
    resolveHubLocation({ ...defaults, hubEndpoint: 'https://mirror.example/' }, {}).endpoint,
    'https://mirror.example',
  );
  assert.equal(resolveHubLocation(defaults, { HF_ENDPOINT: 'http://127.0.0.1:9/' }).endpoint, 'http://127.0.0.1:9');
});

test('the cache is HF_HUB_CACHE, else hub.cache_dir, else $HF_HOME/hub, else ~/.cache/huggingface/hub', () => {
  assert.equal(resolveHubLocation(defaults, { HF_HUB_CACHE: '/a', HF_HOME: '/b' }).cacheDir, '/a');
  assert.equal(resolveHubLocation({ ...defaults, hubCacheDir: '/c' }, { HF_HOME: '/b' }).cacheDir, '/c');
  assert.equal(resolveHubLocation({ ...defaults, hubCacheDir: '/c' }, { HF_HUB_CACHE: '/a' }).cacheDir, '/a');
  assert.equal(resolveHubLocation(defaults, { HF_HOME: '/b' }).cacheDir, '/b/hub');
  assert.equal(resolveHubLocation(defaults, { XDG_CACHE_HOME: '/x' }).cacheDir, '/x/huggingface/hub');
  assert.equal(resolveHubLocation(defaults, {}).cacheDir, join(homedir(), '.cache', 'huggingface', 'hub'));
  assert.equal(resolveHubLocation(defaults, { HF_HOME: '' }).cacheDir, join(homedir(), '.cache', 'huggingface', 'hub'));
});

test('the token is HF_TOKEN first, trimmed', () => {
  assert.deepEqual(readToken({ HF_TOKEN: '  hf_env\n', HF_HOME: dir }), { token: 'hf_env', source: 'HF_TOKEN' });
});

test('without HF_TOKEN the systemd credential comes before HF_TOKEN_PATH and $HF_HOME/token', () => {
  const credentials = join(dir, 'credentials');
  mkdirSync(credentials, { recursive: true });
  writeFileSync(join(credentials, 'hf_token'), 'hf_credential\n');
  writeFileSync(join(dir, 'token-file'), 'hf_path\n');
  writeFileSync(join(dir, 'token'), 'hf_home\n');
  assert.deepEqual(
    readToken({ CREDENTIALS_DIRECTORY: credentials, HF_TOKEN_PATH: join(dir, 'token-file'), HF_HOME: dir }),
    {
      token: 'hf_credential',
      source: 'systemd credential',
    },
  );
  assert.deepEqual(readToken({ HF_TOKEN_PATH: join(dir, 'token-file'), HF_HOME: dir }), {
    token: 'hf_path',
    source: 'HF_TOKEN_PATH',
  });
  assert.deepEqual(readToken({ HF_HOME: dir }), { token: 'hf_home', source: 'HF_HOME token file' });
});

test('an empty or missing token file means no token', () => {
  const empty = join(dir, 'empty-home');
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, 'token'), '   \n');
  assert.deepEqual(readToken({ HF_HOME: empty }), { token: null, source: 'none' });
  assert.deepEqual(readToken({ HF_HOME: join(dir, 'nowhere') }), { token: null, source: 'none' });
});
