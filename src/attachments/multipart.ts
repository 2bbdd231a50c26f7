// Streaming multipart/form-data parsing (busboy) for entry points that take files with fields:
// the public submit, staff replies (REST and panel) and the customer page's reply. Text fields are collected (small, bounded); each file part is
// handed to `onFile` as a stream, one at a time, in body order, and is never buffered here.
// Depends on node:http only (no Express), so any HTTP entry point can use it.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { AppError } from '../errors.js';

export interface IncomingFile {
  /** The form field it came in (`attachments`). */
  field: string;
  /** The client's file name, unsanitised (the service sanitises). */
  fileName: string;
  declaredType: string;
  stream: Readable;
}

export interface MultipartOptions {
  /** Form fields that may carry files; a file in any other field is refused (400). */
  fileFields: readonly string[];
  /** Hard stops for busboy itself (the service applies the documented limits with messages). */
  maxFileBytes: number;
  maxFiles: number;
  /** After the first error, at most this many more bytes are read (so the client sees the answer). */
  drainBytes: number;
  /** `fields`: the text fields that came before this file in the body. */
  onFile(file: IncomingFile, fields: Record<string, string | string[]>): Promise<void>;
}

export interface MultipartResult {
  fields: Record<string, string | string[]>;
  /** true when the request body was read to its end (false: the connection should be closed). */
  drained: boolean;
}

const abortedError = () =>
  new AppError({ code: 'request_aborted', status: 400, message: 'The upload was interrupted before it finished' });

/**
 * Reads the whole body. Files are processed strictly one after another (busboy waits for each
 * file stream to be consumed before it parses on: backpressure all the way to the socket). The
 * first error (a limit, a refused type, a storage failure) wins: later files are discarded
 * unread and the promise rejects with it once the body has been read, or at once when the body
 * goes on for more than `drainBytes` past that point, or the client went away.
 */
export function parseMultipart(req: IncomingMessage, opts: MultipartOptions): Promise<MultipartResult> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: {
          fieldSize: 100_000,
          fields: 50,
          // One more than allowed, so the service sees the extra file and refuses it by name.
          files: opts.maxFiles + 1,
          // One byte over the per-file limit is enough for the service to refuse it.
          fileSize: opts.maxFileBytes + 1,
          parts: 100,
          headerPairs: 100,
        },
        defParamCharset: 'utf8',
      });
    } catch (err) {
      return reject(
        new AppError({ code: 'malformed_body', status: 400, message: 'Malformed multipart body', cause: err }),
      );
    }
    const fields: Record<string, string | string[]> = {};
    let failure: unknown = null;
    let bytesAfterFailure = 0;
    let settled = false;
    let work: Promise<void> = Promise.resolve();

    const finish = (err: unknown, drained: boolean) => {
      if (settled) return;
      settled = true;
      req.off('data', countAfterFailure);
      req.off('close', onClose);
      if (err) reject(err);
      else resolve({ fields, drained });
    };
    const fail = (err: unknown) => {
      if (failure) return;
      failure = err;
      req.on('data', countAfterFailure);
    };
    const countAfterFailure = (chunk: Buffer) => {
      bytesAfterFailure += chunk.length;
      if (bytesAfterFailure > opts.drainBytes) {
        req.unpipe(bb);
        bb.destroy();
        finish(failure, false);
      }
    };
    const onClose = () => {
      // The socket closed before the body was complete: an aborted upload.
      if (!req.complete) {
        const err = failure ?? abortedError();
        bb.destroy(abortedError());
        // Let the file being stored see its stream fail, then report.
        void work.finally(() => finish(err, false));
      }
    };
    req.on('close', onClose);

    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(fieldTooLong(name));
      const prev = fields[name];
      fields[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    });
    bb.on('file', (field, stream, info) => {
      if (failure) return void stream.resume();
      // An <input type="file"> left empty still sends a part: no name, no bytes. Not a file.
      if (!info.filename && field && opts.fileFields.includes(field)) return void stream.resume();
      if (!opts.fileFields.includes(field)) {
        stream.resume();
        return fail(
          new AppError({
            code: 'validation_error',
            status: 400,
            message: 'The request has invalid fields',
            fields: { [field || '_']: [`files are accepted only in: ${opts.fileFields.join(', ')}`] },
          }),
        );
      }
      const file: IncomingFile = { field, fileName: info.filename ?? '', declaredType: info.mimeType, stream };
      work = work.then(async () => {
        if (failure) return void stream.resume();
        try {
          await opts.onFile(file, fields);
        } catch (err) {
          fail(err);
        }
        // Whatever the consumer left unread is discarded, so parsing goes on.
        if (!stream.readableEnded) stream.resume();
      });
    });
    bb.on('error', (err) => {
      fail(
        failure ??
          (req.complete
            ? new AppError({ code: 'malformed_body', status: 400, message: 'Malformed multipart body', cause: err })
            : abortedError()),
      );
      void work.finally(() => finish(failure, req.complete));
    });
    bb.on('close', () => {
      void work.finally(() => finish(failure, true));
    });
    req.pipe(bb);
  });
}

function fieldTooLong(name: string): AppError {
  return new AppError({
    code: 'payload_too_large',
    status: 413,
    message: 'A form field is too large',
    fields: { [name]: ['is too large'] },
  });
}
