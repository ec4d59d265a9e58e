// What erp-bridge says of a failed statement (describeDbError, app/db/database.ts): the database's
// own reason, never the statement. Each error here is a real one from a real statement on SQLite
// and MariaDB: knex puts the SQL, values and all, before the driver's message; knex's own errors
// end with the query; syntax errors quote the statement near the fault.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDbError } from '../../app/db/database.js';
import { FIXTURE_DIALECT_TARGETS, openTarget, type TargetEnv } from '../support/targets.js';

/** The error a statement fails with; a statement that succeeds fails the test. */
async function thrown(statement: PromiseLike<unknown>): Promise<unknown> {
  try {
    await statement;
  } catch (err) {
    return err;
  }
  throw new Error('the statement did not fail');
}

describe.each(FIXTURE_DIALECT_TARGETS)('what a failed statement is called on $name', (target) => {
  let env: TargetEnv;
  const knex = () => env.ctx.db.knex;
  beforeAll(async () => {
    env = await openTarget(target);
  });
  afterAll(async () => env?.cleanup());

  it('a statement on a missing table: the database\'s reason with the table, not the statement or its values', async () => {
    const err = await thrown(knex().raw('SELECT api_id, username\nFROM no_such_api_table\nWHERE username = ?', ['x - secret-ish']));
    const said = describeDbError(err);
    expect(said).toMatch(/no_such_api_table/);
    expect(said).toMatch(/no such table|doesn't exist/);
    expect(said).not.toMatch(/SELECT|FROM|WHERE|username|secret/i);
  });

  it('a statement knex refuses to build (an undefined value): its reason without the query', async () => {
    const err = await thrown(knex()('no_such_api_table').where('username', undefined as unknown as string).select('api_id'));
    const said = describeDbError(err);
    expect(said).toMatch(/^Undefined binding/);
    expect(said).not.toMatch(/api_id|no_such_api_table|from|`/i);
  });

  it('a statement that does not parse: said in words, without the part of the statement the database quotes', async () => {
    const err = await thrown(knex().raw('SELECT api_id FORM no_such_api_table'));
    expect(describeDbError(err)).toBe('the database could not parse a statement');
  });
});
