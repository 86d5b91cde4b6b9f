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
  else await client.query(`drop database if exists ${name} with (force)`);
  console.log(`${action === 'drop' ? 'dropped' : action + 'd'} database ${name}`);
} finally {
  await client.end();
}
