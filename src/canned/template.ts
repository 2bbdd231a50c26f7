// The canned replies' template language: liquidjs in a sandbox. No file system (an empty
// in-memory template map, and the tags that load other templates refused when a template is
// parsed), own properties only, and hard limits on template size, render time and memory, so a
// template typed into the panel can neither read the server's files nor hang a request.
// Why here and not in the service: the one place that decides what a placeholder may be.
import { Liquid, type Template } from 'liquidjs';

export const TEMPLATE_MAX_LENGTH = 10_000;
/** A rendered reply may not be longer than a reply (conversation.schema MESSAGE_MAX_LENGTH). */
export const RENDERED_MAX_LENGTH = 20_000;
const RENDER_LIMIT_MS = 100;
const MEMORY_LIMIT = 1_000_000;

/** The variables a template may use, as documented (docs/tags-and-canned.md). */
export const TEMPLATE_VARIABLES = [
  'customer.name',
  'customer.first_name',
  'customer.email',
  'ticket.number',
  'ticket.subject',
  'ticket.category',
  'ticket.priority',
  'moderator.name',
  'moderator.first_name',
] as const;

export interface TemplateScope {
  customer: { name: string; first_name: string; email: string };
  ticket: { number: string; subject: string; category: string; priority: string };
  moderator: { name: string; first_name: string };
}

// Tags that read other templates (files) or print text unparsed: `raw` would let a literal
// "{{ … }}" through to the customer, which is exactly what must never happen.
const REFUSED_TAGS = ['include', 'render', 'layout', 'raw'] as const;

const engine = new Liquid({
  templates: {},
  relativeReference: false,
  strictFilters: true,
  strictVariables: false,
  ownPropertyOnly: true,
  parseLimit: TEMPLATE_MAX_LENGTH,
  renderLimit: RENDER_LIMIT_MS,
  memoryLimit: MEMORY_LIMIT,
});
for (const name of REFUSED_TAGS) {
  engine.registerTag(name, {
    parse() {
      throw new Error(`the {% ${name} %} tag is not allowed in canned replies`);
    },
    render() {
      return '';
    },
  });
}

export class TemplateError extends Error {}

/** First line of a liquidjs error ("undefined filter: nosuch, line:1, col:4"), without the source dump. */
const firstLine = (err: unknown) => String((err as Error).message ?? err).split('\n')[0]!;

/** Parses a template; TemplateError with a readable message when it is not valid. */
export function parseTemplate(body: string): Template[] {
  try {
    return engine.parse(body);
  } catch (err) {
    throw new TemplateError(firstLine(err));
  }
}

/** Placeholders the template uses that are not TEMPLATE_VARIABLES (they would render empty). */
export function unknownPlaceholders(templates: Template[]): string[] {
  const known = new Set<string>(TEMPLATE_VARIABLES);
  return engine.globalFullVariablesSync(templates).filter((v) => !known.has(v));
}

/** Anything that still looks like template syntax after rendering. */
const LEFTOVER = /\{\{|\}\}|\{%|%\}/;

/**
 * Renders with the scope. Unknown or empty variables render as '' (or their `| default:`);
 * the result is checked so that no raw `{{ }}` / `{% %}` reaches a customer.
 */
export async function renderTemplate(templates: Template[], scope: TemplateScope): Promise<string> {
  let text: string;
  try {
    text = String(await engine.render(templates, scope as unknown as Record<string, unknown>));
  } catch (err) {
    throw new TemplateError(firstLine(err));
  }
  if (LEFTOVER.test(text))
    throw new TemplateError('the rendered reply still contains template syntax ({{ }} or {% %})');
  if (text.length > RENDERED_MAX_LENGTH)
    throw new TemplateError(`the rendered reply is longer than ${RENDERED_MAX_LENGTH} characters`);
  return text;
}

/** "Ann" from "Ann Marie Smith"; '' for an empty name. */
export const firstName = (name: string): string => name.trim().split(/\s+/)[0] ?? '';
