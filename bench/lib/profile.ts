// Reads a V8 .cpuprofile (node --cpu-prof) and lists where the time went: self time per function
// and the share of samples whose stack passes through each source file of the product.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  topSelf: Array<{ fn: string; ms: number; pct: number }>;
  topInclusiveFiles: Array<{ file: string; ms: number; pct: number }>;
}

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(/^.*\/dist\//, 'dist/');

export async function summariseProfile(file: string, top = 15): Promise<ProfileSummary> {
  const prof = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000));
  let total = 0;
  let idle = 0;
  const selfByFn = new Map<string, number>();
  const inclusiveByFile = new Map<string, number>();
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    total += ms;
    const name = node.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') idle += ms;
    const key = `${name} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    selfByFn.set(key, (selfByFn.get(key) ?? 0) + ms);
    const files = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const url = byId.get(cur)!.callFrame.url;
      if (url) files.add(shortUrl(url).replace(/^(node_modules\/(@[^/]+\/)?[^/]+).*$/, '$1'));
    }
    for (const f of files) inclusiveByFile.set(f, (inclusiveByFile.get(f) ?? 0) + ms);
  }
  const busy = total - idle;
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top);
  return {
    totalMs: total,
    idleMs: idle,
    topSelf: rank(selfByFn).map(([fn, ms]) => ({ fn, ms, pct: (100 * ms) / busy })),
    topInclusiveFiles: rank(inclusiveByFile).map(([file, ms]) => ({ file, ms, pct: (100 * ms) / busy })),
  };
}
