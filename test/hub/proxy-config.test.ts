import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../src/errors.js';
import {
  bypassesProxy,
  parseNoProxy,
  proxyForUrl,
  readProxyConfig,
  redactProxyUrl,
} from '../../src/hub/protocol/proxy-config.js';

const HUB = new URL('https://huggingface.co/api/models/gpt2');
const CDN = new URL('https://cdn-lfs.hf.co/repos/ab/cd');

function proxied(url: string | URL, env: NodeJS.ProcessEnv, setting = ''): string | null {
  return proxyForUrl(new URL(url), readProxyConfig(env, setting))?.href ?? null;
}

function bypass(url: string, noProxy: string): boolean {
  return bypassesProxy(new URL(url), parseNoProxy(noProxy));
}

describe('choosing a proxy as curl does', () => {
  test('https URLs use HTTPS_PROXY and http URLs HTTP_PROXY, in either case', () => {
    const env = { HTTPS_PROXY: 'http://secure:3128', http_proxy: 'http://plain:3128' };
    assert.equal(proxied(HUB, env), 'http://secure:3128/');
    assert.equal(proxied('http://mirror.local/api', env), 'http://plain:3128/');
  });

  test('the lower-case variable wins over the upper-case one', () => {
    assert.equal(proxied(HUB, { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }), 'http://lower:1/');
  });

  test('ALL_PROXY covers both schemes when the specific variable is unset', () => {
    assert.equal(proxied(HUB, { ALL_PROXY: 'http://every:8080' }), 'http://every:8080/');
    assert.equal(proxied('http://x/', { all_proxy: 'http://every:8080' }), 'http://every:8080/');
    assert.equal(proxied(HUB, { ALL_PROXY: 'http://every:8080', HTTPS_PROXY: 'http://s:1' }), 'http://s:1/');
  });

  test('a proxy without a scheme is an http proxy, and empty variables are unset', () => {
    assert.equal(proxied(HUB, { HTTPS_PROXY: 'proxy.corp:3128' }), 'http://proxy.corp:3128/');
    assert.equal(proxied(HUB, { HTTPS_PROXY: '' }), null);
    assert.equal(proxied(HUB, {}), null);
  });

  test('localhost goes through the proxy unless NO_PROXY lists it', () => {
    assert.equal(proxied('http://127.0.0.1:8080/x', { HTTP_PROXY: 'http://p:1' }), 'http://p:1/');
    assert.equal(proxied('http://localhost:8080/x', { HTTP_PROXY: 'http://p:1' }), 'http://p:1/');
    assert.equal(proxied('http://localhost:8080/x', { HTTP_PROXY: 'http://p:1', NO_PROXY: 'localhost' }), null);
  });

  test('a NO_PROXY name matches the host and its subdomains, with or without a leading dot', () => {
    assert.equal(bypass('https://huggingface.co/x', 'huggingface.co'), true);
    assert.equal(bypass('https://cdn-lfs.huggingface.co/x', 'huggingface.co'), true);
    assert.equal(bypass('https://cdn-lfs.huggingface.co/x', '.huggingface.co'), true);
    assert.equal(bypass('https://huggingface.co/x', '.huggingface.co'), true);
    assert.equal(bypass('https://nothuggingface.co/x', 'huggingface.co'), false);
    assert.equal(bypass('https://HuggingFace.CO./x', 'huggingface.co'), true);
  });

  test('NO_PROXY takes IP addresses and CIDR ranges, v4 and v6, without resolving names', () => {
    assert.equal(bypass('http://10.1.2.3/', '10.0.0.0/8'), true);
    assert.equal(bypass('http://11.1.2.3/', '10.0.0.0/8'), false);
    assert.equal(bypass('http://192.168.1.20/', '192.168.1.20'), true);
    assert.equal(bypass('http://[fd00::5]:8080/', 'fd00::/8'), true);
    assert.equal(bypass('http://[::1]/', '::1'), true);
    assert.equal(bypass('http://localhost/', '127.0.0.0/8'), false);
  });

  test('NO_PROXY entries may name a port, and * bypasses everything', () => {
    assert.equal(bypass('http://mirror.local:8080/', 'mirror.local:8080'), true);
    assert.equal(bypass('http://mirror.local:9090/', 'mirror.local:8080'), false);
    assert.equal(bypass('https://mirror.local/', 'mirror.local:443'), true);
    assert.equal(bypass('https://anything.example/', '*'), true);
    assert.equal(bypass('https://anything.example/', 'a.example, *.anything.example , 10.0.0.0/33'), true);
  });

  test('the Hub and its CDN are chosen separately', () => {
    const env = { HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'hf.co' };
    assert.equal(proxied(HUB, env), 'http://p:3128/');
    assert.equal(proxied(CDN, env), null);
  });

  test('the hub.proxy setting replaces the environment, and "direct" turns proxies off', () => {
    const env = { HTTPS_PROXY: 'http://env:1', NO_PROXY: 'hf.co' };
    assert.equal(proxied(HUB, env, 'http://setting:2'), 'http://setting:2/');
    assert.equal(proxied('http://plain.example/', env, 'http://setting:2'), 'http://setting:2/');
    assert.equal(proxied(CDN, env, 'http://setting:2'), null, 'NO_PROXY still applies');
    assert.equal(proxied(HUB, env, 'direct'), null);
  });

  test('an unsupported proxy scheme is refused naming the variable, never the URL', () => {
    assert.throws(
      () => readProxyConfig({ HTTPS_PROXY: 'socks5://user:secret@p:1080' }),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.message ===
          'HTTPS_PROXY (or ALL_PROXY) uses socks5://, which hfsched does not support; use an http:// or https:// proxy',
    );
  });

  test('a proxy URL is shown without its credentials', () => {
    assert.equal(redactProxyUrl(new URL('http://user:s3cret@proxy.corp:3128')), 'http://***@proxy.corp:3128');
    assert.equal(redactProxyUrl(new URL('http://proxy.corp:3128')), 'http://proxy.corp:3128');
  });
});
