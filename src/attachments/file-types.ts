// What a file is, judged by its bytes (never by the name or the client's Content-Type), and how
// it may be served. The rules of docs/attachments.md "Safe to open", in one place.
import { fileTypeFromBuffer } from 'file-type';

/** Bytes file-type needs to recognise every format it knows. */
export const SNIFF_BYTES = 4100;

/** Program formats: refused with 415 (the only type-based refusal). */
const EXECUTABLES = new Set([
  'application/x-msdownload', // PE: .exe, .dll, .scr
  'application/vnd.microsoft.portable-executable',
  'application/x-elf',
  'application/x-mach-binary',
  'application/x-sharedlib',
  'application/x-executable',
  'application/x-msi',
  'application/x-cfb', // compound file: .msi installers (also old .doc/.xls, which are not accepted either)
  'application/vnd.ms-htmlhelp', // .chm runs scripts when opened
  'application/vnd.android.package-archive',
  'application/x-deb',
  'application/x-rpm',
  'application/java-archive',
  'application/x-apple-diskimage',
  'application/x-shockwave-flash',
  'application/wasm',
]);

/** Shown in the browser (inline) — raster images and PDF, recognised by their bytes. */
const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);

/** Types a browser could run script from: never served under them, whatever was stored. */
const ACTIVE = /html|svg|xml|javascript|ecmascript|x-shockwave/i;

export interface Sniffed {
  /** The type the file is stored and served with. */
  type: string;
  executable: boolean;
}

/**
 * The stored type: what file-type recognises in the first bytes; otherwise (text formats —
 * HTML, SVG, CSV, scripts — carry no magic number) text/plain when the bytes look like UTF-8 text,
 * application/octet-stream when not. Never text/html, whatever the name or declared type says.
 */
export async function sniffType(sample: Buffer): Promise<Sniffed> {
  const found = await fileTypeFromBuffer(sample).catch(() => undefined);
  if (found) {
    const type = ACTIVE.test(found.mime) ? 'application/octet-stream' : found.mime;
    return { type, executable: EXECUTABLES.has(found.mime) };
  }
  return { type: looksLikeText(sample) ? 'text/plain' : 'application/octet-stream', executable: false };
}

function looksLikeText(sample: Buffer): boolean {
  if (sample.includes(0)) return false;
  // A multi-byte character may be cut at the end of the sample: ignore up to 3 trailing bytes.
  for (let cut = 0; cut <= Math.min(3, sample.length); cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - cut));
      return true;
    } catch {
      // try a shorter prefix
    }
  }
  return false;
}

/** The Content-Type and disposition a download is served with. */
export function servingOf(storedType: string): { contentType: string; inline: boolean } {
  if (ACTIVE.test(storedType)) return { contentType: 'application/octet-stream', inline: false };
  const contentType = storedType === 'text/plain' ? 'text/plain; charset=utf-8' : storedType;
  return { contentType, inline: INLINE.has(storedType) };
}

/**
 * The name as stored and offered to the browser: no directories (either slash), no control or
 * bidirectional-override characters, no leading dots, at most 255 characters (the extension kept).
 */
export function sanitizeFileName(raw: string | undefined | null): string {
  let name = String(raw ?? '')
    .normalize('NFC')
    .split(/[\\/]/)
    .pop()!;
  name = name
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/["<>:*?|]/g, '_')
    .trim()
    .replace(/^\.+/, '');
  if (!name) return 'file';
  if (name.length <= 255) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  return name.slice(0, 255 - ext.length) + ext;
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 5987). */
export function contentDisposition(inline: boolean, fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
