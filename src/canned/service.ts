// The canned replies use cases. Shared templates are managed by admins; every moderator (and
// admin) has personal ones that nobody else sees. A template is checked when it is saved (liquid
// syntax: 400 with the message under `body`) and when it is rendered for a ticket (no raw
// placeholder may reach the customer). A use is counted when the rendered text is inserted into
// the reply box — the render call — not when the reply is sent (docs/tags-and-canned.md says why).
import { requireAdmin, requireStaff } from '../auth/access.js';
import type { Actor } from '../auth/actor.js';
import { getTicket, type ServiceMeta } from '../contact/contact.service.js';
import type { AppContext } from '../context.js';
import { inPgTransaction } from '../db/tx.js';
import { AppError, notFound } from '../errors.js';
import { assertUuid } from '../shared/ids.js';
import { parseInput } from '../shared/input.js';
import * as repo from './repository.js';
import {
  cannedCreateSchema,
  cannedListQuerySchema,
  cannedUpdateSchema,
  renderQuerySchema,
  type CannedReply,
} from './schema.js';
import {
  firstName,
  parseTemplate,
  renderTemplate,
  TemplateError,
  unknownPlaceholders,
  type TemplateScope,
} from './template.js';

export interface SavedReply {
  reply: CannedReply;
  /** Placeholders that are not known variables: saved, but they will render empty. */
  warnings: string[];
}

export interface RenderedReply {
  reply: CannedReply;
  ticketId: string;
  text: string;
  usageCount: number;
}

const writeCtx = (actor: Actor, meta: ServiceMeta) => ({
  actorId: actor.id,
  source: meta.source,
  requestId: meta.requestId,
});

/** Syntax first, so a broken template is never stored; answers the unknown placeholders. */
function checkTemplate(body: string): string[] {
  try {
    return unknownPlaceholders(parseTemplate(body)).map((v) => `unknown placeholder ${v} (renders empty)`);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    throw new AppError({
      code: 'validation_error',
      status: 400,
      message: 'The template is not valid',
      fields: { body: [err.message] },
    });
  }
}

const nameTaken = () =>
  new AppError({
    code: 'name_taken',
    status: 409,
    message: 'A canned reply with this name exists already',
    fields: { name: ['is taken'] },
  });

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

/** Shared replies are admins' to change; personal ones only their owner's (nobody else sees them). */
function requireManage(actor: Actor, reply: CannedReply): void {
  if (reply.ownerId === null) requireAdmin(actor);
  else if (reply.ownerId !== actor.id) throw notFound('Canned reply');
}

async function visible(ctx: AppContext, actor: Actor, id: string): Promise<CannedReply> {
  assertUuid(id);
  const reply = await repo.findVisible(ctx.db.pool, actor.id, id);
  if (!reply) throw notFound('Canned reply');
  return reply;
}

export async function listCannedReplies(
  ctx: AppContext,
  actor: Actor | null,
  query: unknown,
): Promise<{ items: CannedReply[]; total: number }> {
  requireStaff(actor);
  const q = parseInput(cannedListQuerySchema, query ?? {});
  const opts = { viewerId: actor.id, q: q.q || undefined, scope: q.scope, limit: q.limit, offset: q.offset };
  const [items, total] = await Promise.all([repo.listVisible(ctx.db.pool, opts), repo.countVisible(ctx.db.pool, opts)]);
  return { items, total };
}

export async function getCannedReply(ctx: AppContext, actor: Actor | null, id: string): Promise<CannedReply> {
  requireStaff(actor);
  return visible(ctx, actor, id);
}

export async function createCannedReply(
  ctx: AppContext,
  actor: Actor | null,
  body: unknown,
  meta: ServiceMeta,
): Promise<SavedReply> {
  requireStaff(actor);
  const input = parseInput(cannedCreateSchema, body);
  if (input.scope === 'shared') requireAdmin(actor);
  const warnings = checkTemplate(input.body);
  try {
    const reply = await inPgTransaction(ctx.db, writeCtx(actor, meta), (client) =>
      repo.insertReply(client, {
        name: input.name,
        body: input.body,
        ownerId: input.scope === 'shared' ? null : actor.id,
        createdById: actor.id,
        now: ctx.clock.now(),
      }),
    );
    return { reply, warnings };
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

export async function updateCannedReply(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  body: unknown,
  meta: ServiceMeta,
): Promise<SavedReply> {
  requireStaff(actor);
  assertUuid(id);
  const patch = parseInput(cannedUpdateSchema, body);
  const warnings = patch.body === undefined ? [] : checkTemplate(patch.body);
  try {
    const reply = await inPgTransaction(ctx.db, writeCtx(actor, meta), async (client) => {
      const current = await repo.findVisible(client, actor.id, id, true);
      if (!current) throw notFound('Canned reply');
      requireManage(actor, current);
      return repo.updateReply(client, id, patch, ctx.clock.now());
    });
    return { reply, warnings };
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken();
    throw err;
  }
}

export async function deleteCannedReply(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  meta: ServiceMeta,
): Promise<void> {
  requireStaff(actor);
  assertUuid(id);
  await inPgTransaction(ctx.db, writeCtx(actor, meta), async (client) => {
    const current = await repo.findVisible(client, actor.id, id, true);
    if (!current) throw notFound('Canned reply');
    requireManage(actor, current);
    await repo.deleteReply(client, id);
  });
}

/** Who may change this reply (the panel shows Edit / Delete only then). */
export const canManageCannedReply = (actor: Actor, reply: CannedReply): boolean =>
  reply.ownerId === null ? actor.role === 'admin' : reply.ownerId === actor.id;

/** The variables of a ticket, as the moderator rendering it sees them. */
function scopeOf(ticket: Awaited<ReturnType<typeof getTicket>>, actor: Actor): TemplateScope {
  const words = (v: string) => v.replace(/_/g, ' ');
  return {
    customer: { name: ticket.name, first_name: firstName(ticket.name), email: ticket.email },
    ticket: {
      number: ticket.ticketNumber,
      subject: ticket.subject,
      category: words(ticket.category),
      priority: words(ticket.priority),
    },
    moderator: { name: actor.name, first_name: firstName(actor.name) },
  };
}

/**
 * The reply's text for a ticket, counted as one use. 422 when the template cannot be rendered
 * (a template stored before a rule tightened, a render over the limits) — never raw syntax.
 */
export async function renderCannedReply(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  query: unknown,
  meta: ServiceMeta,
): Promise<RenderedReply> {
  requireStaff(actor);
  const { ticket: ticketId } = parseInput(renderQuerySchema, query ?? {});
  const reply = await visible(ctx, actor, id);
  const ticket = await getTicket(ctx, actor, ticketId);
  let text: string;
  try {
    text = await renderTemplate(parseTemplate(reply.body), scopeOf(ticket, actor));
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    throw new AppError({
      code: 'template_error',
      status: 422,
      message: `The canned reply cannot be used: ${err.message}`,
    });
  }
  const usageCount = await inPgTransaction(ctx.db, writeCtx(actor, meta), (client) =>
    repo.countUse(client, reply.id, ctx.clock.now()),
  );
  return { reply, ticketId, text, usageCount };
}
