// Where things live in the AdminJS panel. Emails link into it and the panel registers its
// resources under these ids: one definition, so a link in a mail can never drift from the panel.
export const ADMIN_ROOT_PATH = '/admin';
export const TICKET_RESOURCE_ID = 'tickets';

export function ticketPanelUrl(publicUrl: string, ticketId: string): string {
  return `${publicUrl}${ADMIN_ROOT_PATH}/resources/${TICKET_RESOURCE_ID}/records/${encodeURIComponent(ticketId)}/show`;
}
