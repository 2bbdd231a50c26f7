// An AdminJS resource whose reads go through ContactDesk's service functions and which has no
// write path at all: every panel action that changes data has its own handler calling a service
// (so the rules, emails and audit context are the same as the REST API's). If anything ever
// reaches `create`/`update`/`delete` here, it fails loudly instead of writing behind the services.
import { BaseProperty, BaseRecord, BaseResource, type ActionContext, type Filter, type PropertyType } from 'adminjs';

export interface PropertySpec {
  path: string;
  type?: PropertyType;
  isId?: boolean;
  isSortable?: boolean;
  /** Enum values (rendered as a select in forms and filters). */
  values?: readonly string[];
}

class ServiceProperty extends BaseProperty {
  private readonly values: readonly string[] | null;
  private readonly editable: boolean;

  constructor(spec: PropertySpec, position: number) {
    super({
      path: spec.path,
      type: spec.type ?? 'string',
      isId: spec.isId,
      isSortable: spec.isSortable ?? false,
      position,
    });
    this.values = spec.values ?? null;
    this.editable = !spec.isId;
  }

  override availableValues(): string[] | null {
    return this.values ? [...this.values] : null;
  }

  override isEditable(): boolean {
    return this.editable;
  }
}

export interface ListParams {
  limit: number;
  offset: number;
  sort?: { sortBy?: string; direction?: 'asc' | 'desc' };
}

export interface ServiceReads {
  find(filter: Filter, params: ListParams, context: ActionContext): Promise<Record<string, unknown>[]>;
  count(filter: Filter, context: ActionContext): Promise<number>;
  findOne(id: string, context: ActionContext): Promise<Record<string, unknown> | null>;
  /** Default: findOne for each id, the missing ones left out (a resource read by id only needs no more). */
  findMany?(ids: string[], context: ActionContext): Promise<Record<string, unknown>[]>;
}

export class ServiceResource extends BaseResource {
  private readonly resourceId: string;
  private readonly props: Map<string, ServiceProperty>;
  private readonly reads: ServiceReads;

  constructor(resourceId: string, specs: PropertySpec[], reads: ServiceReads) {
    super();
    this.resourceId = resourceId;
    this.props = new Map(specs.map((spec, i) => [spec.path, new ServiceProperty(spec, i + 1)]));
    this.reads = reads;
  }

  override databaseName(): string {
    return 'contactdesk';
  }

  override databaseType(): string {
    return 'postgresql';
  }

  override id(): string {
    return this.resourceId;
  }

  override properties(): BaseProperty[] {
    return [...this.props.values()];
  }

  override property(path: string): BaseProperty | null {
    return this.props.get(path) ?? null;
  }

  override async count(filter: Filter, context?: ActionContext): Promise<number> {
    return this.reads.count(filter, context!);
  }

  override async find(filter: Filter, params: ListParams, context?: ActionContext): Promise<BaseRecord[]> {
    const rows = await this.reads.find(filter, params, context!);
    return rows.map((row) => new BaseRecord(row, this));
  }

  override async findOne(id: string, context?: ActionContext): Promise<BaseRecord | null> {
    const row = await this.reads.findOne(id, context!);
    return row ? new BaseRecord(row, this) : null;
  }

  override async findMany(ids: Array<string | number>, context?: ActionContext): Promise<BaseRecord[]> {
    const rows = this.reads.findMany
      ? await this.reads.findMany(ids.map(String), context!)
      : (await Promise.all(ids.map((id) => this.reads.findOne(String(id), context!)))).filter((r) => r !== null);
    return rows.map((row) => new BaseRecord(row, this));
  }

  override build(params: Record<string, unknown>): BaseRecord {
    return new BaseRecord(params, this);
  }

  override async create(): Promise<never> {
    throw new Error(`${this.resourceId}: writes go through the service layer (no adapter writes)`);
  }

  override async update(): Promise<never> {
    throw new Error(`${this.resourceId}: writes go through the service layer (no adapter writes)`);
  }

  override async delete(): Promise<never> {
    throw new Error(`${this.resourceId}: writes go through the service layer (no adapter writes)`);
  }
}
