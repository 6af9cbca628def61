import { GrowingBytes } from '../lib/bytes.js';
import { headEnd, MalformedResponse, MAX_HEAD_BYTES, parseHead, type ResponseHead } from './http1-response.js';

/**
 * Reads an HTTP/1.1 response's head from a connection's bytes as they arrive, for one
 * exchange of the Bun socket client (bun-exchange.ts): gathers a head that comes in
 * pieces, skips informational (1xx) heads before the final one, and hands on the bytes
 * that follow it (the start of the body). No runtime imports.
 *
 * Cost: a head that comes in pieces is gathered in one growing buffer, and bytes already
 * scanned without finding the blank line are not scanned again (but for the last 3, which
 * may start it): a head arriving a few bytes at a time costs one pass, not one per piece.
 */
export class ResponseHeadReader {
  /** The head's bytes so far, while it arrives in pieces. */
  private partialHead: GrowingBytes | null = null;

  /**
   * Reads the next bytes of the response (`method`: the request's, as parseHead takes it).
   * @returns the final head and the bytes after it (body bytes, possibly none); null while
   *   the head is incomplete (its bytes are kept for the next call).
   * @throws MalformedResponse when the head is not HTTP/1.1 or exceeds MAX_HEAD_BYTES.
   */
  read(chunk: Uint8Array, method: string): { head: ResponseHead; rest: Uint8Array } | null {
    const partial = this.partialHead;
    let from = 0;
    let buf = chunk;
    /** `buf` is the whole of `partialHead` (nothing of it parsed yet). */
    let gathered = partial !== null;
    if (partial !== null) {
      from = partial.length - 3;
      partial.append(chunk);
      buf = partial.view();
    }
    for (;;) {
      const end = headEnd(buf, from);
      from = 0;
      if (end === -1) {
        if (buf.length > MAX_HEAD_BYTES) throw new MalformedResponse(`response head larger than ${MAX_HEAD_BYTES} bytes`);
        if (!gathered) {
          this.partialHead = new GrowingBytes();
          this.partialHead.append(buf);
        }
        return null;
      }
      const head = parseHead(buf.subarray(0, end), method);
      buf = buf.subarray(end + 4);
      gathered = false;
      // 1xx informational answers (100 Continue, 103 Early Hints) precede the real one.
      if (head.status >= 100 && head.status < 200 && head.status !== 101) continue;
      this.partialHead = null;
      return { head, rest: buf };
    }
  }
}
