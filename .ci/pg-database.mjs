// Creates or drops a throwaway database on the CI PostgreSQL server: node .ci/pg-database.mjs create|drop NAME
import pg from 'pg';

const [action, name] = process.argv.slice(2);
if (!/^(create|drop)$/.test(action ?? '') || !/^[a-z0-9_]+$/.test(name ?? '')) {
  console.error('usage: node .ci/pg-database.mjs create|drop name');
  process.exit(2);
}
const client = new pg.Client({ connectionString: process.env.CI_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
await client.connect();
try {
  if (action === 'create') await client.query(`create database ${name}`);
  else {
    // With the template and per-app databases the test apps make beside it (tests/support/test-app.ts).
    const { rows } = await client.query(`select datname from pg_database where datname = $1 or datname like $2`, [name, `${name}\\_%`]);
    for (const row of rows) await client.query(`drop database if exists ${row.datname} with (force)`);
  }
  console.log(`${action === 'drop' ? 'dropped' : action + 'd'} database ${name}`);
} finally {
  await client.end();
}
