// Attachment use cases. An upload belongs to one message and commits with it: the files are
// streamed into the store inside the transaction that then writes the ticket (or, later, the
// thread message), its attachment rows and its mails. A limit, a refused type, a failure or a
// client that hangs up rolls the transaction back: no ticket, no attachment, no chunk remains.
import type { Readable } from 'node:stream';
import type pg from 'pg';
import { requireStaff } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import { setWriteContext, type WriteContext } from '../db/tx.js';
import type { SubmissionRow, SubmitInput } from '../contact/contact.schema.js';
import { writeSubmissionsIn, type SubmitMeta } from '../contact/submit-writer.js';
import { notFound } from '../errors.js';
import { isUuid } from '../shared/ids.js';
import {
  findAttachment,
  insertAttachments,
  listTicketAttachments,
  type AttachmentRef,
  type NewAttachment,
} from './attachments.repository.js';
import { sanitizeFileName, sniffType, SNIFF_BYTES } from './file-types.js';
import { countRefusal, limitsOf, refusalError, sizeRefusal, typeRefusal, type AttachmentLimits } from './limits.js';
import { PgAttachmentStorage, type AttachmentStorage } from './storage.js';

export type { AttachmentRef };
export type AttachmentSource = 'form' | 'api' | 'email' | 'panel' | 'portal';
export { limitsOf, type AttachmentLimits };

const stores = new WeakMap<AppContext, AttachmentStorage>();
export function attachmentStorage(ctx: AppContext): AttachmentStorage {
  let s = stores.get(ctx);
  if (!s) stores.set(ctx, (s = new PgAttachmentStorage(ctx.db.pool)));
  return s;
}

/**
 * Uploads hold a database connection while the bytes arrive, so they may use the pool only up
 * to a reserve — a fifth of it, at least two connections — that the rest of the API always has:
 * a burst of slow uploads can never starve it. Waiting uploads are simply not read yet
 * (backpressure to the client). (Half the pool, as first chosen, halved upload throughput: per
 * connection an upload here costs what a bare busboy + pg insert does; bench/attachments.ts.)
 */
export const uploadSlots = (poolSize: number) => Math.max(1, poolSize - Math.max(2, Math.ceil(poolSize / 5)));

class Slots {
  private free: number;
  private waiting: Array<() => void> = [];
  constructor(n: number) {
    this.free = n;
  }
  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
const slots = new WeakMap<AppContext, Slots>();
const slotsOf = (ctx: AppContext) => {
  let s = slots.get(ctx);
  if (!s) slots.set(ctx, (s = new Slots(uploadSlots(ctx.config.DB_POOL_SIZE))));
  return s;
};

export interface UploadedFile {
  fileName: string;
  declaredType: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** The files of one message, stored inside one transaction until it commits or rolls back. */
export class MessageUpload {
  private client: pg.PoolClient | null = null;
  private releaseSlot: (() => void) | null = null;
  private done = false;
  readonly files: UploadedFile[] = [];
  /** The attachment rows written by `transaction`'s attach (empty until then). */
  committed: AttachmentRef[] = [];
  private total = 0;

  constructor(
    private readonly ctx: AppContext,
    private readonly source: AttachmentSource,
    private readonly limits: AttachmentLimits = limitsOf(ctx),
  ) {}

  private async begin(): Promise<pg.PoolClient> {
    if (this.done) throw new Error('upload already finished');
    if (this.client) return this.client;
    this.releaseSlot = await slotsOf(this.ctx).take();
    try {
      this.client = await this.ctx.db.pool.connect();
    } catch (err) {
      this.releaseSlot();
      throw err;
    }
    await this.client.query('BEGIN');
    return this.client;
  }

  /** Stores one file (refusing it by count, size, total or executable type). */
  async addFile(file: { fileName: string; declaredType: string; stream: Readable }): Promise<UploadedFile> {
    const fileName = sanitizeFileName(file.fileName);
    const tooMany = countRefusal(this.limits, this.files.length, fileName);
    if (tooMany) throw refusalError(tooMany);
    const client = await this.begin();
    let sample = Buffer.alloc(0);
    let sniffed: Awaited<ReturnType<typeof sniffType>> | null = null;
    const sniff = async () => {
      sniffed = await sniffType(sample);
      const refused = typeRefusal(sniffed, fileName);
      if (refused) throw refusalError(refused);
    };
    const stored = await attachmentStorage(this.ctx).put(file.stream.iterator({ destroyOnReturn: false }), {
      client,
      inspect: async (piece, size) => {
        const refused = sizeRefusal(this.limits, size, this.total, fileName);
        if (refused) throw refusalError(refused);
        // The type is judged before anything of the file is written: the first ~4 KB decide.
        if (!sniffed) {
          sample = Buffer.concat([sample, piece.subarray(0, SNIFF_BYTES - sample.length)]);
          if (sample.length >= SNIFF_BYTES) await sniff();
        }
      },
    });
    if (!sniffed) await sniff();
    this.total += stored.size;
    const uploaded: UploadedFile = {
      fileName,
      declaredType: (file.declaredType || 'application/octet-stream').slice(0, 255),
      contentType: sniffed!.type,
      size: stored.size,
      sha256: stored.sha256,
    };
    this.files.push(uploaded);
    return uploaded;
  }

  /** The public submission with its files: ticket, attachment rows and mails, one COMMIT. */
  async commitSubmission(
    input: SubmitInput,
    meta: SubmitMeta,
  ): Promise<{ ticket: SubmissionRow; attachments: AttachmentRef[] }> {
    const client = await this.begin();
    try {
      const [ticket] = await writeSubmissionsIn(this.ctx, client, [{ input, meta }]);
      const rows = await insertAttachments(
        client,
        this.files.map((f) => this.row(ticket!.id, null, f)),
      );
      await client.query('COMMIT');
      this.finish(false);
      return { ticket: ticket!, attachments: rows };
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /**
   * Any other message with its files (a staff reply, a customer's reply on their page): `write`
   * runs in the upload's transaction with the audit context set, and calls `attach` once it knows
   * the message; files, message, status change and mails then COMMIT together.
   */
  async transaction<T>(
    context: WriteContext,
    write: (
      client: pg.PoolClient,
      attach: (ticketId: string, ticketMessageId: string | null) => Promise<AttachmentRef[]>,
    ) => Promise<T>,
  ): Promise<T> {
    const client = await this.begin();
    try {
      await setWriteContext(client, context);
      const result = await write(client, async (ticketId, ticketMessageId) => {
        const rows = await insertAttachments(
          client,
          this.files.map((f) => this.row(ticketId, ticketMessageId, f)),
        );
        this.committed = rows;
        return rows;
      });
      await client.query('COMMIT');
      this.finish(false);
      return result;
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  private row(ticketId: string, ticketMessageId: string | null, f: UploadedFile): NewAttachment {
    return { ticketId, ticketMessageId, ...f, source: this.source };
  }

  /** Rolls back everything stored so far (safe to call more than once). */
  async abort(): Promise<void> {
    if (this.done) return;
    const client = this.client;
    let broken = false;
    if (client) await client.query('ROLLBACK').catch(() => (broken = true));
    this.finish(broken);
  }

  private finish(broken: boolean) {
    this.done = true;
    this.client?.release(broken);
    this.client = null;
    this.releaseSlot?.();
  }
}

/** Attachments of a ticket per message: key = ticket_message_id, or the ticket id for the original. */
export async function listAttachments(
  ctx: AppContext,
  actor: Actor | null,
  ticketId: string,
): Promise<Map<string, AttachmentRef[]>> {
  requireStaff(actor);
  if (!isUuid(ticketId)) throw notFound('Ticket');
  return listTicketAttachments(ctx.db.pool, ticketId);
}

/**
 * A download: staff see every ticket's files (a moderator of another ticket too). A malformed or
 * guessed id is a plain 404 — it says nothing about which ids exist.
 */
export async function openAttachment(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
): Promise<{ attachment: AttachmentRef & { sha256: string }; stream: Readable }> {
  requireStaff(actor);
  if (!isUuid(id)) throw notFound('Attachment');
  const attachment = await findAttachment(ctx.db.pool, id);
  if (!attachment) throw notFound('Attachment');
  return { attachment, stream: attachmentStorage(ctx).get(attachment.sha256) };
}
