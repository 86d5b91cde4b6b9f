// Fails when package-lock.json has an entry without a version. Such entries are written when the
// registry lacked a platform binary at lock time; once it serves the binary, `npm ci` and
// `npm install` crash with "Invalid Version:" on every fresh machine (see README, Tests and CI).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const lockPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const unversioned = Object.entries(lock.packages ?? {})
  .filter(([key, entry]) => key !== '' && !entry.link && !entry.version)
  .map(([key]) => key);

if (unversioned.length > 0) {
  console.error(`package-lock.json has ${unversioned.length} entries without a version; a fresh npm ci would fail on them:`);
  for (const key of unversioned.slice(0, 20)) console.error(`  ${key}`);
  if (unversioned.length > 20) console.error(`  … and ${unversioned.length - 20} more`);
  console.error('Delete those entries and run `npm run lock`, then try a fresh clone.');
  process.exit(1);
}
