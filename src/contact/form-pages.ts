// Minimal HTML answers for a plain <form method="post"> (no JavaScript on the website owner's
// page): a thank-you page with the ticket number, or the list of problems to fix.
import type { Request } from 'express';
import type { AppError } from '../errors.js';
import { escapeHtml } from '../shared/text.js';
import type { PublicSubmission } from './contact.schema.js';

export function wantsHtml(req: Request): boolean {
  return (
    req.is('application/x-www-form-urlencoded') === 'application/x-www-form-urlencoded' &&
    req.accepts(['json', 'html']) === 'html'
  );
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}</style>` +
  `</head><body>${body}<p><a href="javascript:history.back()">Back</a></p></body></html>`;

export function renderFormThanks(s: PublicSubmission): string {
  return page(
    'Thank you',
    `<h1>Thank you, ${escapeHtml(String(s.name))}</h1><p>We received your message and will reply to ${escapeHtml(String(s.email))}.</p>` +
      `<p>Your ticket number is <strong>${escapeHtml(String(s.ticket_number))}</strong>.</p>`,
  );
}

export function renderFormError(err: AppError): string {
  const items = Object.entries(err.fields ?? {})
    .map(([field, msgs]) => `<li><strong>${escapeHtml(field)}</strong>: ${escapeHtml(msgs.join('; '))}</li>`)
    .join('');
  return page(
    'Please check the form',
    `<h1>Please check the form</h1><p>${escapeHtml(err.message)}</p>${items ? `<ul>${items}</ul>` : ''}`,
  );
}
