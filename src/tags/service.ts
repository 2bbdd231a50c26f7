// The tags use cases. Staff tag tickets (a name that does not exist yet becomes a tag: tags are
// created by using them); admins rename, merge and delete tags. Each write is one transaction
// with the audit context set, so the ticket_tags triggers record who added or removed a tag and
// through what (docs/tags-and-canned.md).
import { requireAdmin, requireStaff } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import type { AppContext } from '../context.js';
import type { BulkResult } from '../contact/contact.bulk.js';
import type { ServiceMeta } from '../contact/contact.service.js';
import { inPgTransaction } from '../db/tx.js';
import { AppError, notFound } from '../errors.js';
import { assertUuid, isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/input.js';
import * as repo from './repository.js';
import {
  tagCreateSchema,
  tagListQuerySchema,
  tagMergeSchema,
  tagNameSchema,
  tagRenameSchema,
  ticketTagsBodySchema,
  type Tag,
  type TagWithUsage,
} from './schema.js';

const writeCtx = (actor: Actor, meta: ServiceMeta) => ({
  actorId: actor.id,
  source: meta.source,
  requestId: meta.requestId,
});

const nameTaken = (name: string) =>
  new AppError({
    code: 'tag_exists',
    status: 409,
    message: `A tag named "${name}" exists already: merge the two instead`,
    fields: { name: ['is taken by another tag'] },
  });

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

/** Tags for the picker and the admin list: `q` matches anywhere in the name, prefixes first. */
export async function listTags(ctx: AppContext, actor: Actor | null, query: unknown): Promise<TagWithUsage[]> {
  requireStaff(actor);
  const q = parseInput(tagListQuerySchema, query ?? {});
  return repo.listTagsWithUsage(ctx.db.pool, q.q || undefined, q.limit);
}

export async function countTags(ctx: AppContext, actor: Actor | null, q?: string): Promise<number> {
  requireStaff(actor);
  return repo.countTags(ctx.db.pool, q || undefined);
}

export async function getTag(ctx: AppContext, actor: Actor | null, id: string): Promise<Tag> {
  requireStaff(actor);
  assertUuid(id);
  const tag = await repo.findTag(ctx.db.pool, id);
  if (!tag) throw notFound('Tag');
  return tag;
}

/** A tag by name (the existing one, whatever its case, or a new one). */
export async function createTag(ctx: AppContext, actor: Actor | null, body: unknown, meta: ServiceMeta): Promise<Tag> {
  requireStaff(actor);
  const { name } = parseInput(tagCreateSchema, body);
  return inPgTransaction(ctx.db, writeCtx(actor, meta), async (client) => {
    const [tag] = await repo.ensureTags(client, [name], actor.id);
    return tag!;
  });
}

export async function getTicketTags(ctx: AppContext, actor: Actor | null, ticketId: string): Promise<Tag[]> {
  requireStaff(actor);
  assertUuid(ticketId);
  if (!(await repo.lockTicketForTags(ctx.db.pool, ticketId))) throw notFound('Ticket');
  return repo.ticketTags(ctx.db.pool, ticketId);
}

/**
 * Adds tags to a ticket (`replace`: the ticket's tags become exactly these). Unknown names are
 * created. Returns the ticket's tags afterwards.
 */
export async function changeTicketTags(
  ctx: AppContext,
  actor: Actor | null,
  ticketId: string,
  body: unknown,
  opts: { replace: boolean },
  meta: ServiceMeta,
): Promise<Tag[]> {
  requireStaff(actor);
  assertUuid(ticketId);
  const { tags } = parseInput(ticketTagsBodySchema, body);
  return inPgTransaction(ctx.db, writeCtx(actor, meta), async (client) => {
    if (!(await repo.lockTicketForTags(client, ticketId))) throw notFound('Ticket');
    const wanted = await repo.ensureTags(client, tags, actor.id);
    const ids = wanted.map((t) => t.id);
    if (opts.replace) await repo.removeTagsFromTicket(client, ticketId, { keep: ids });
    if (ids.length) await repo.addTagsToTickets(client, [ticketId], ids);
    return repo.ticketTags(client, ticketId);
  });
}

/** Removes one tag (by id or by name) from a ticket; 404 when the ticket does not carry it. */
export async function removeTicketTag(
  ctx: AppContext,
  actor: Actor | null,
  ticketId: string,
  tagRef: string,
  meta: ServiceMeta,
): Promise<Tag[]> {
  requireStaff(actor);
  assertUuid(ticketId);
  const name = isUuid(tagRef) ? null : parseInput(tagNameSchema, tagRef);
  return inPgTransaction(ctx.db, writeCtx(actor, meta), async (client) => {
    if (!(await repo.lockTicketForTags(client, ticketId))) throw notFound('Ticket');
    const tag = name === null ? await repo.findTag(client, tagRef) : (await repo.findTagsByName(client, [name]))[0];
    const removed = tag ? await repo.removeTagsFromTicket(client, ticketId, { tagIds: [tag.id] }) : 0;
    if (!removed) throw notFound('Tag on this ticket');
    return repo.ticketTags(client, ticketId);
  });
}

/** The bulk "Tag…" action: the tags on every selected ticket, in one INSERT. */
export async function bulkTagTickets(
  ctx: AppContext,
  actor: Actor | null,
  ids: string[],
  body: unknown,
  meta: ServiceMeta,
): Promise<BulkResult> {
  requireStaff(actor);
  const unique = [...new Set(ids)];
  unique.forEach((id) => assertUuid(id, 'ids'));
  const { tags } = parseInput(ticketTagsBodySchema, body);
  if (!tags.length) {
    throw new AppError({
      code: 'validation_error',
      status: 400,
      message: 'The request has invalid fields',
      fields: { tags: ['name at least one tag'] },
    });
  }
  return inPgTransaction(ctx.db, writeCtx(actor, meta), async (client) => {
    const tagIds = (await repo.ensureTags(client, tags, actor.id)).map((t) => t.id);
    const { found, changed } = await repo.addTagsToTickets(client, unique, tagIds);
    const numbers = new Map(found.map((f) => [f.id, f.ticket_number]));
    const result: BulkResult = { changed: [], skipped: [] };
    for (const id of unique) {
      const ticketNumber = numbers.get(id);
      if (ticketNumber === undefined) result.skipped.push({ id, ticketNumber: null, reason: 'not found' });
      else if (changed.has(id)) result.changed.push({ id, ticketNumber });
      else result.skipped.push({ id, ticketNumber, reason: 'has those tags already' });
    }
    return result;
  });
}

// --- admin ------------------------------------------------------------------------------------------

export async function renameTag(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  body: unknown,
  meta: ServiceMeta,
): Promise<Tag> {
  requireAdmin(actor);
  assertUuid(id);
  const { name } = parseInput(tagRenameSchema, body);
  try {
    return await inPgTransaction(ctx.db, writeCtx(actor, meta), async (client) => {
      const tag = await repo.renameTag(client, id, name);
      if (!tag) throw notFound('Tag');
      return tag;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(name);
    throw err;
  }
}

/** Every ticket of tag `id` gets tag `into` instead; `id` is deleted. Returns the remaining tag. */
export async function mergeTag(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  body: unknown,
  meta: ServiceMeta,
): Promise<Tag & { moved: number }> {
  requireAdmin(actor);
  assertUuid(id);
  const { into } = parseInput(tagMergeSchema, body);
  if (into === id) {
    throw new AppError({
      code: 'validation_error',
      status: 400,
      message: 'The request has invalid fields',
      fields: { into: ['must be another tag'] },
    });
  }
  return inPgTransaction(ctx.db, writeCtx(actor, meta), async (client) => {
    // Both rows locked, in id order, so two opposite merges cannot deadlock.
    const { rows } = await client.query<Tag>(
      'SELECT id, name FROM tags WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [[id, into]],
    );
    const source = rows.find((r) => r.id === id);
    const target = rows.find((r) => r.id === into);
    if (!source) throw notFound('Tag');
    if (!target) {
      throw new AppError({
        code: 'not_found',
        status: 404,
        message: 'Tag to merge into not found',
        fields: { into: ['no such tag'] },
      });
    }
    const moved = await repo.mergeTags(client, id, into);
    return { ...target, moved };
  });
}

export async function deleteTag(ctx: AppContext, actor: Actor | null, id: string, meta: ServiceMeta): Promise<void> {
  requireAdmin(actor);
  assertUuid(id);
  await inPgTransaction(ctx.db, writeCtx(actor, meta), async (client) => {
    if (!(await repo.deleteTag(client, id))) throw notFound('Tag');
  });
}
