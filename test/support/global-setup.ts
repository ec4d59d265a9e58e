// Says clearly whether the MariaDB half of the integration tests runs. In CI
// (REQUIRE_MYSQL=1) a missing server is an error, never a silent skip.
import { mysqlReachable, mysqlServerUrl } from './opencart-fixture.js';

export default async function setup(): Promise<void> {
  const url = mysqlServerUrl();
  const reachable = await mysqlReachable(url);
  if (process.env.REQUIRE_MYSQL === '1' && !reachable)
    throw new Error(`REQUIRE_MYSQL=1 but no MariaDB/MySQL answers at MYSQL_URL=${url ?? '(unset)'}`);
  if (!url) console.log('\n[erp-bridge] MYSQL_URL is not set: the MariaDB half of the integration tests is SKIPPED (SQLite only).\n');
  else if (!reachable) {
    console.log(`\n[erp-bridge] MariaDB at MYSQL_URL does not answer: the MariaDB half is SKIPPED.\n`);
    process.env.MYSQL_URL = '';
  } else console.log('\n[erp-bridge] MariaDB half enabled (OpenCart 3.0.3.8 fixture, prefixes oc_ and shop_).\n');
}
