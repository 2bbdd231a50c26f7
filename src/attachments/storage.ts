// Where attachment bytes live. The default store keeps them in PostgreSQL (no extra service on any
// instance): content-addressed by SHA-256 so the same file is stored once, in ≤ 256 KB chunks so
// neither an upload nor a download ever holds a whole file in memory. A filesystem or
// S3-compatible store can implement the same interface later; the metadata (attachments rows)
// stays in PostgreSQL either way, which is why `put` and `delete` get the caller's transaction.
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type pg from 'pg';

export const CHUNK_BYTES = 256 * 1024;

export interface StoredBlob {
  sha256: string;
  size: number;
}

export interface PutOptions {
  /** The transaction the upload commits with (the ticket / message and its attachment rows). */
  client: pg.ClientBase;
  /**
   * Called with each piece before it is stored (in order): the caller sniffs the type from the
   * first bytes and enforces its limits here; throwing stops the upload and nothing is kept
   * once the transaction rolls back.
   */
  inspect?: (piece: Buffer, sizeSoFar: number) => void | Promise<void>;
}

export interface AttachmentStorage {
  /** Streams the content in; resolves once it is stored (visible to others after COMMIT). */
  put(stream: AsyncIterable<Buffer | string>, opts: PutOptions): Promise<StoredBlob>;
  /** Streams the content out; the stream errors when no such content exists. */
  get(sha256: string): Readable;
  /** Removes the content if no attachment names it any more; true when it was removed. */
  delete(sha256: string, opts: { client: pg.ClientBase }): Promise<boolean>;
}

/** How many chunks a download reads per query: ~1 MB per round trip, ~1 MB in memory. */
const READ_AHEAD = 4;

export class PgAttachmentStorage implements AttachmentStorage {
  constructor(private readonly pool: pg.Pool) {}

  async put(stream: AsyncIterable<Buffer | string>, opts: PutOptions): Promise<StoredBlob> {
    const { client } = opts;
    // The chunks are written as they arrive under a fresh chunk set; the blob row that claims
    // them (and the deferred FK check) comes at the end, when the hash is known.
    const chunkSet = randomUUID();
    const hash = createHash('sha256');
    // One chunk buffer per upload, refilled after each INSERT has completed (pg is done with it
    // by then): the bytes are copied once, and the incoming pieces are let go at once. Allocating
    // a fresh 256 KB per chunk instead left ~25 MB of garbage behind a 25 MB upload before V8
    // collected it (bench/attachments.ts measures the server's RSS during one).
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let filled = 0;
    let size = 0;
    let seq = 0;
    const flush = async () => {
      await client.query('INSERT INTO attachment_chunks (chunk_set, seq, data) VALUES ($1, $2, $3)', [
        chunkSet,
        seq++,
        chunk.subarray(0, filled),
      ]);
      filled = 0;
    };
    for await (const raw of stream) {
      const piece = typeof raw === 'string' ? Buffer.from(raw) : raw;
      if (!piece.length) continue;
      if (opts.inspect) await opts.inspect(piece, size + piece.length);
      hash.update(piece);
      size += piece.length;
      for (let at = 0; at < piece.length;) {
        const n = piece.copy(chunk, filled, at, Math.min(piece.length, at + CHUNK_BYTES - filled));
        filled += n;
        at += n;
        if (filled === CHUNK_BYTES) await flush();
      }
    }
    if (filled > 0) await flush();
    const sha256 = hash.digest('hex');
    await this.claim(client, sha256, size, chunkSet);
    return { sha256, size };
  }

  /**
   * Makes the chunk set the blob of `sha256`, or drops it when that content is stored already.
   * A blob found to exist is locked (KEY SHARE) until this transaction ends, so a concurrent
   * ticket delete cannot remove it under the attachment row about to name it; when the delete won
   * the race (the blob vanished after we waited), our own chunks become the blob instead.
   */
  private async claim(client: pg.ClientBase, sha256: string, size: number, chunkSet: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const inserted = await client.query(
        `INSERT INTO attachment_blobs (sha256, size, chunk_set) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING`,
        [sha256, size, chunkSet],
      );
      if (inserted.rowCount === 1) return;
      const existing = await client.query('SELECT 1 FROM attachment_blobs WHERE sha256 = $1 FOR KEY SHARE', [sha256]);
      if (existing.rowCount === 1) {
        await client.query('DELETE FROM attachment_chunks WHERE chunk_set = $1', [chunkSet]);
        return;
      }
    }
    throw new Error(`could not store blob ${sha256}: it kept being deleted concurrently`);
  }

  get(sha256: string): Readable {
    const pool = this.pool;
    let chunkSet: string | null = null;
    let seq = 0;
    let total = 0;
    let expected = 0;
    return new Readable({
      highWaterMark: CHUNK_BYTES,
      async read() {
        try {
          if (chunkSet === null) {
            const { rows } = await pool.query<{ chunk_set: string; size: string }>(
              'SELECT chunk_set, size FROM attachment_blobs WHERE sha256 = $1',
              [sha256],
            );
            if (!rows[0]) throw Object.assign(new Error(`no stored content ${sha256}`), { code: 'ENOENT' });
            chunkSet = rows[0].chunk_set;
            expected = Number(rows[0].size);
          }
          const { rows } = await pool.query<{ data: Buffer }>(
            'SELECT data FROM attachment_chunks WHERE chunk_set = $1 AND seq >= $2 AND seq < $3 ORDER BY seq',
            [chunkSet, seq, seq + READ_AHEAD],
          );
          seq += READ_AHEAD;
          for (const r of rows) {
            total += r.data.length;
            this.push(r.data);
          }
          if (rows.length < READ_AHEAD) {
            // Fewer chunks than asked for: the end. A short total means the blob was deleted mid-read.
            if (total !== expected) throw new Error(`stored content ${sha256} is incomplete (${total}/${expected})`);
            this.push(null);
          }
        } catch (err) {
          this.destroy(err as Error);
        }
      },
    });
  }

  async delete(sha256: string, opts: { client: pg.ClientBase }): Promise<boolean> {
    // Same rule as the attachments_after_delete trigger: lock, then re-check under a new snapshot.
    const locked = await opts.client.query('SELECT 1 FROM attachment_blobs WHERE sha256 = $1 FOR UPDATE', [sha256]);
    if (!locked.rowCount) return false;
    const { rowCount } = await opts.client.query(
      'DELETE FROM attachment_blobs b WHERE sha256 = $1 AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = b.sha256)',
      [sha256],
    );
    return rowCount === 1;
  }
}
