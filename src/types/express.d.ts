import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.js';

declare global {
  namespace Express {
    interface Request {
      /** Request id, echoed in X-Request-Id and tagged on every log line of this request. */
      id: string;
      log: Logger;
      /** The authenticated caller (Bearer token), if any. */
      actor?: Actor | null;
      /** Id of the API token used, so DELETE /auth/token can revoke exactly it. */
      apiTokenId?: string;
    }
  }
}

export {};
