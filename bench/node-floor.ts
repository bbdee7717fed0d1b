/**
 * The Node floor of (c): the least any Node program does to fetch many small
 * files and verify them, and nothing more. `parallel` keep-alive sockets to
 * the Hub, a request head written per file, the body taken by its
 * Content-Length, its sha256 computed (what verifying costs; the bench checks
 * that every byte arrived), then written aside and renamed into place.
 * No cache layout, no database, no retries, no progress.
 *
 * It answers whether a target is within reach of a Node program on this
 * machine at all: hfsched can come near this line but not pass it.
 *
 * Over https (the URL says) it trusts the CA file given last, as curl --cacert.
 *
 * Usage: node node-floor.js <list.json: [{url, path}]> <out folder> <parallel> [ca.pem]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { dirname, join } from 'node:path';

const [listPath, outFolder, parallelText, caPath] = process.argv.slice(2);
if (!listPath || !outFolder || !parallelText) throw new Error('usage: node-floor <list.json> <out folder> <parallel>');
const files = JSON.parse(readFileSync(listPath, 'utf8')) as { url: string; path: string }[];
const madeFolders = new Set<string>();
let next = 0;

function keep(path: string, body: Buffer): void {
  createHash('sha256').update(body).digest('hex');
  const target = join(outFolder!, path);
  const folder = dirname(target);
  if (!madeFolders.has(folder)) {
    mkdirSync(folder, { recursive: true });
    madeFolders.add(folder);
  }
  writeFileSync(`${target}.part`, body);
  renameSync(`${target}.part`, target);
}

/** One socket: asks for the next file once the last answer is complete, until none is left. */
function lane(): Promise<void> {
  return new Promise((resolve, reject) => {
    const origin = new URL(files[0]!.url);
    const socket: Socket =
      origin.protocol === 'https:'
        ? connectTls({
            host: origin.hostname,
            port: Number(origin.port),
            ...(caPath ? { ca: readFileSync(caPath, 'utf8') } : {}),
          })
        : connect(Number(origin.port), origin.hostname);
    let pending: Buffer = Buffer.alloc(0);
    let current: { url: string; path: string } | undefined;
    const ask = (): void => {
      current = files[next++];
      if (!current) {
        socket.end();
        resolve();
        return;
      }
      const url = new URL(current.url);
      socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAccept-Encoding: identity\r\n\r\n`);
    };
    socket.on(origin.protocol === 'https:' ? 'secureConnect' : 'connect', ask);
    socket.on('error', reject);
    socket.on('data', (data: Buffer) => {
      pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      const headEnd = pending.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = pending.toString('latin1', 0, headEnd);
      if (!head.startsWith('HTTP/1.1 200')) {
        socket.destroy();
        reject(new Error(`${current!.url}: ${head.split('\r\n')[0]}`));
        return;
      }
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1]);
      if (pending.length < headEnd + 4 + length) return;
      keep(current!.path, pending.subarray(headEnd + 4, headEnd + 4 + length));
      pending = pending.subarray(headEnd + 4 + length);
      ask();
    });
  });
}

await Promise.all(Array.from({ length: Number(parallelText) }, lane));
