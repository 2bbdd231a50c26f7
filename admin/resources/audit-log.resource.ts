// The Audit log resource (admins only): every ticket event the database triggers recorded, newest
// first, filterable by actor, source, ticket and time. Read-only at every level: the actions that
// could write are closed (isAccessible: false), the adapter's write methods throw, and the event
// table itself refuses UPDATE/DELETE. panel.ts picks up the one function this module exports.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '@prisma/client';
import { getModelByName, Resource } from '@adminjs/prisma';
import type { Filter, ResourceWithOptions } from 'adminjs';
import type { AppContext } from '../../src/context.js';
import { EVENT_SOURCES } from '../../src/audit/audit.schema.js';
import { adminOnly, nobody } from '../access.js';
import { PROJECT_ROOT } from '../paths.js';

export const AUDIT_LOG_RESOURCE_ID = 'audit-log';
const MODEL = 'ContactSubmissionEvent';
const DMMF_FILE = path.join(PROJECT_ROOT, 'node_modules', '.contactdesk', 'dmmf.json');

// The adapter's own test for "this filter value is a UUID"; anything else it would turn into a
// LIKE on a uuid column, which PostgreSQL rejects. Such a filter simply matches nothing here.
const ADAPTER_UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[1-5][0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/i;
const UUID_PATHS = new Set(['actorId', 'ticketId', 'userId', 'assignedToId', 'resolvedById']);

function hasImpossibleUuidFilter(filter: Filter | undefined): boolean {
  return Object.values(filter?.filters ?? {}).some(
    (f) => UUID_PATHS.has(f.path) && !(typeof f.value === 'string' && ADAPTER_UUID.test(f.value)),
  );
}

/** @adminjs/prisma over the event table, made strictly read-only and JSON-safe (bigint ids). */
class AuditEventResource extends Resource {
  override async find(...args: Parameters<Resource['find']>) {
    return hasImpossibleUuidFilter(args[0]) ? [] : super.find(...args);
  }

  override async count(filter: Filter) {
    return hasImpossibleUuidFilter(filter) ? 0 : super.count(filter);
  }

  override async findOne(id: string | number) {
    // Not through the adapter's Number(id): event ids are bigints.
    if (!/^\d{1,19}$/.test(String(id))) return null;
    const row = await (this.client as PrismaClient).contactSubmissionEvent.findUnique({
      where: { eventId: BigInt(id) },
    });
    return row ? this.build(this.prepareReturnValues(row)) : null;
  }

  // JSON cannot carry a bigint: the event id travels as a string.
  protected override prepareReturnValues(params: Record<string, unknown>): Record<string, unknown> {
    const values = super.prepareReturnValues(params);
    for (const [key, value] of Object.entries(values)) if (typeof value === 'bigint') values[key] = value.toString();
    return values;
  }

  override async create(): Promise<never> {
    throw new Error('Audit events are read-only');
  }

  override async update(): Promise<never> {
    throw new Error('Audit events are read-only');
  }

  override async delete(): Promise<never> {
    throw new Error('Audit events are read-only');
  }
}

type RecordJson = { params: Record<string, unknown> };

/** The list shows changed fields as one readable string (AdminJS renders arrays as nothing there). */
function addChangedFieldsText<T extends { records?: RecordJson[]; record?: RecordJson }>(response: T): T {
  const add = (record: RecordJson) => {
    const fields = Object.entries(record.params)
      .filter(([key]) => key.startsWith('changedFields.'))
      .sort(([a], [b]) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
      .map(([, value]) => String(value));
    record.params.fields = fields.join(', ');
  };
  response.records?.forEach(add);
  if (response.record) add(response.record);
  return response;
}

export interface AuditLogDeps {
  /** The full Prisma DMMF ({ datamodel }) written at `prisma generate` by prisma/generators/dmmf.mjs. */
  dmmf?: unknown;
  prisma?: PrismaClient;
}

export function createAuditLogResource(ctx: AppContext, deps: AuditLogDeps = {}): ResourceWithOptions {
  const dmmf = deps.dmmf ?? JSON.parse(readFileSync(DMMF_FILE, 'utf8'));
  const clientModule = { Prisma: { dmmf } };
  const client = deps.prisma ?? ctx.db.prisma;
  const resource = new AuditEventResource({ model: getModelByName(MODEL, clientModule), client, clientModule });
  const only = (...where: Array<'list' | 'show' | 'filter'>) => ({
    list: where.includes('list'),
    show: where.includes('show'),
    edit: false,
    filter: where.includes('filter'),
  });
  return {
    resource,
    options: {
      id: AUDIT_LOG_RESOURCE_ID,
      navigation: { name: 'Administration', icon: 'Settings' },
      titleProperty: 'eventId',
      sort: { sortBy: 'eventId', direction: 'desc' },
      listProperties: ['eventId', 'eventAt', 'ticketNumber', 'operation', 'fields', 'actorId', 'source'],
      filterProperties: ['actorId', 'source', 'ticketId', 'ticketNumber', 'operation', 'eventAt'],
      properties: {
        eventId: { isTitle: true, isVisible: only('list', 'show') },
        // Virtual: changedFields joined, filled in by the list action's after hook.
        fields: { type: 'string', isVisible: only('list') },
        source: {
          availableValues: EVENT_SOURCES.map((s) => ({ value: s, label: s })),
          isVisible: only('list', 'show', 'filter'),
        },
        // The users resource names the actor (and links to them) wherever the id is shown.
        actorId: { reference: 'users', isVisible: only('list', 'show', 'filter') },
        message: { type: 'textarea', isVisible: only('show') },
        ipAddress: { isVisible: only('show') },
      },
      actions: {
        list: { isAccessible: adminOnly, after: addChangedFieldsText },
        show: { isAccessible: adminOnly },
        search: { isAccessible: nobody, isVisible: false },
        new: { isAccessible: nobody, isVisible: false },
        edit: { isAccessible: nobody, isVisible: false },
        delete: { isAccessible: nobody, isVisible: false },
        bulkDelete: { isAccessible: nobody, isVisible: false },
      },
    },
  };
}
