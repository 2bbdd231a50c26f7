#!/usr/bin/env node
// Prisma generator that writes the full datamodel DMMF to JSON. The "client" engine ships a
// trimmed Prisma.dmmf (no isId / relation data) which @adminjs/prisma cannot work with.
import generatorHelper from '@prisma/generator-helper';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const { generatorHandler } = generatorHelper;
generatorHandler({
  onManifest: () => ({ defaultOutput: '../node_modules/.contactdesk/dmmf.json', prettyName: 'Full DMMF' }),
  onGenerate: async (options) => {
    const out = options.generator.output?.value;
    if (!out) throw new Error('dmmf generator needs an output path');
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify({ datamodel: options.dmmf.datamodel }));
  },
});
