// graphile-worker's log lines through pino, tagged with the job and task they are about.
import { Logger as GraphileLogger, type LogLevel } from 'graphile-worker';
import type { AppContext } from '../context.js';

const PINO_LEVEL: Record<string, 'error' | 'warn' | 'info' | 'debug'> = {
  error: 'error',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
};

/** graphile attaches whole job rows (payload included) and errors under `error`: keep ids, use `err`. */
function compactMeta(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!meta) return {};
  const { job, error, ...rest } = meta as {
    job?: { id?: string; task_identifier?: string; attempts?: number };
    error?: unknown;
  };
  return {
    ...rest,
    ...(job ? { jobId: job.id, task: job.task_identifier, attempt: job.attempts } : {}),
    ...(error ? { err: error } : {}),
  };
}

/** graphile-worker's log lines through pino, tagged with the job and task they are about. */
export function graphileLogger(ctx: AppContext): GraphileLogger {
  return new GraphileLogger((scope) => {
    const child = ctx.logger.child({
      component: 'worker',
      ...(scope.jobId ? { jobId: scope.jobId } : {}),
      ...(scope.taskIdentifier ? { task: scope.taskIdentifier } : {}),
      ...(scope.workerId ? { workerId: scope.workerId } : {}),
    });
    return (level: LogLevel, message: string, meta?: Record<string, unknown>) => {
      child[PINO_LEVEL[level] ?? 'info'](compactMeta(meta), message);
    };
  });
}
