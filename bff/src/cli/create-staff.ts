import { parseArgs } from 'node:util';
import { STAFF_ROLES, isStaffRole } from '@cityloop/shared';
import { ConfigError, databaseConfigFrom } from '../config';
import { openDatabase } from '../db/client';
import { staffRepository } from '../features/staff/staff.repository';
import { createStaffAccount, StaffInputError } from '../features/staff/staff.usecases';

const USAGE = `Create a bureau staff account (there is no default account).

  npm run staff:create -- --username <name> [--display-name <name>] [--role admin|reviewer|finance|operator|viewer] [--password-stdin]

Roles (shared/src/permissions.ts): admin 管理员, reviewer 审核员, finance 财务, operator 业务员, viewer 查看 (the default).
The password comes from STAFF_PASSWORD, from stdin with --password-stdin, or is asked for at the terminal.
The database is the one the BFF uses: DATABASE_URL, or the PGlite folder under DATA_DIR.`;

async function readPassword(fromStdin: boolean): Promise<string> {
  if (process.env.STAFF_PASSWORD) return process.env.STAFF_PASSWORD;
  if (fromStdin) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.replace(/\r?\n$/, '');
  }
  if (!process.stdin.isTTY) throw new StaffInputError('no password: set STAFF_PASSWORD or pass --password-stdin');
  return promptHidden('Password (min 12 characters): ');
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    process.stdout.write(question);
    const stdin = process.stdin;
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    stdin.on('data', function onData(buf: Buffer) {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stdout.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') process.exit(130);
        value = ch === '\u007f' ? value.slice(0, -1) : value + ch;
      }
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      username: { type: 'string' },
      'display-name': { type: 'string' },
      role: { type: 'string', default: 'viewer' },
      'password-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.username) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const role = values.role;
  if (!isStaffRole(role)) throw new StaffInputError(`role: one of ${STAFF_ROLES.join(', ')}`);
  const password = await readPassword(values['password-stdin']);
  const database = await openDatabase(databaseConfigFrom(process.env));
  try {
    const account = await createStaffAccount({ staff: staffRepository(database.db) }, { username: values.username.toLowerCase(), displayName: values['display-name'] ?? '', password, role });
    process.stdout.write(`created ${account.role} account "${account.username}" (${account.id})\n`);
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof StaffInputError || err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
