// Group commit: concurrent writes of one process go to PostgreSQL together. While one batch is
// in flight, new items queue; the next batch takes all of them (up to a count and a size). One
// COMMIT (one WAL flush, one NOTIFY) per batch instead of per item. Used by the public submit
// (src/contact/submit-writer.ts) and the inbound mail store (src/inbound/inbound.store.ts).
//
// Each caller's promise settles only after the COMMIT that made its item durable. An item the
// database refuses must not refuse its neighbours: a failed batch is retried one by one, unless
// the database itself is unreachable (then every item of the batch fails at once, fast).
import { isDatabaseUnavailable } from '../errors.js';

export interface GroupCommitOptions<T> {
  /** Items per batch. */
  maxItems: number;
  /** Optional bound on a batch's total size; an item over it still goes, alone. */
  maxSize?: { limit: number; of(item: T): number };
}

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export class GroupCommit<T, R> {
  private queue: Pending<T, R>[] = [];
  private writing = false;

  /** `writeBatch` writes the items in one transaction and returns one result per item, in order. */
  constructor(
    private readonly writeBatch: (items: T[]) => Promise<R[]>,
    private readonly opts: GroupCommitOptions<T>,
  ) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    if (this.writing || !this.queue.length) return;
    this.writing = true;
    const { maxItems, maxSize } = this.opts;
    let n = 0;
    let size = 0;
    while (n < this.queue.length && n < maxItems) {
      const s = maxSize ? maxSize.of(this.queue[n]!.item) : 0;
      if (maxSize && n > 0 && size + s > maxSize.limit) break;
      size += s;
      n += 1;
    }
    const batch = this.queue.splice(0, n);
    void this.write(batch).finally(() => {
      this.writing = false;
      this.drain();
    });
  }

  private async write(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.writeBatch(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1 || isDatabaseUnavailable(err)) {
        batch.forEach((p) => p.reject(err));
        return;
      }
      for (const p of batch) {
        try {
          p.resolve((await this.writeBatch([p.item]))[0]!);
        } catch (single) {
          p.reject(single);
        }
      }
    }
  }
}
