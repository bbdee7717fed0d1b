/**
 * Decodes an HTTP/1.1 chunked body (RFC 9112 section 7.1) as it arrives, for
 * bulk-get.ts: each read is decoded in place, its data bytes moved to the
 * front of the read buffer (a memmove within the buffer, no allocation), so
 * the reader gets one piece per read as with a Content-Length body. Chunk
 * extensions and trailer fields are read and ignored.
 */
import { TransferError } from '../errors.js';

/** A chunk-size line or trailer field longer than this is not a real server's. */
const MAX_LINE_BYTES = 8 * 1024;
const LINE_FEED = 0x0a;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

export class ChunkedDecoder {
  private state: State = 'size';
  /** The part of a line cut across reads. */
  private line = '';
  /** Data bytes left in the current chunk. */
  private left = 0;
  /** Bytes of the last read after the end of the body (a server that sent more than its answer). */
  extraBytes = 0;

  get done(): boolean {
    return this.state === 'done';
  }

  /**
   * Decodes `piece` in place: its data bytes end up at its start, and their
   * count is returned. TransferError for a malformed body.
   */
  decode(piece: Buffer): number {
    let out = 0;
    let at = 0;
    while (at < piece.length && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.left, piece.length - at);
        if (out !== at) piece.copyWithin(out, at, at + take);
        out += take;
        at += take;
        this.left -= take;
        if (this.left === 0) this.state = 'data-end';
        continue;
      }
      const lineFeed = piece.indexOf(LINE_FEED, at);
      const end = lineFeed < 0 ? piece.length : lineFeed;
      this.line += piece.toString('latin1', at, end);
      if (this.line.length > MAX_LINE_BYTES) throw malformed('a line longer than 8 KiB');
      // After a chunk's data comes its CRLF and nothing else: say so without waiting for a line feed.
      if (this.state === 'data-end' && this.line !== '' && this.line !== '\r')
        throw malformed('no line end after a chunk');
      if (lineFeed < 0) break;
      at = lineFeed + 1;
      const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
      this.line = '';
      this.readLine(line);
    }
    this.extraBytes = this.state === 'done' ? piece.length - at : 0;
    return out;
  }

  private readLine(line: string): void {
    if (this.state === 'size') {
      // The size in hex, then optional extensions (";name=value"), which say nothing we use.
      const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
      if (size === null) throw malformed(`a chunk size of ${JSON.stringify(line.slice(0, 40))}`);
      this.left = parseInt(size[1]!, 16);
      this.state = this.left === 0 ? 'trailer' : 'data';
    } else if (this.state === 'data-end') {
      if (line !== '') throw malformed('no line end after a chunk');
      this.state = 'size';
    } else if (line === '') {
      // The empty line after the trailer fields ends the body.
      this.state = 'done';
    }
  }
}

function malformed(what: string): TransferError {
  return new TransferError(`the server sent a malformed chunked body: ${what}`, { retryable: true });
}
