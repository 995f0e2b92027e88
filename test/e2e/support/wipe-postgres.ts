import { sql } from 'kysely';
import { openDatabase } from '../../../src/lib/server/db';

const handle = openDatabase(process.env['DATABASE_URL']);
await sql`drop schema if exists public cascade`.execute(handle.db);
await sql`create schema public`.execute(handle.db);
await handle.close();
