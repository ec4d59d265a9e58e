// Whether real-OpenCart tests can run here: a MariaDB server (MYSQL_URL) and PHP's CLI.
// In CI (REQUIRE_MYSQL=1) a missing PHP is an error, never a silent skip.
import { spawnSync } from 'node:child_process';
import { mysqlServerUrl } from '../opencart-fixture.js';

export const phpAvailable = spawnSync('php', ['-v'], { stdio: 'ignore' }).status === 0;

export function realOpenCartAvailable(): boolean {
  if (!mysqlServerUrl()) return false;
  if (!phpAvailable && process.env.REQUIRE_MYSQL === '1')
    throw new Error('REQUIRE_MYSQL=1 but `php` is not installed: real-OpenCart tests need php-cli php-mysql php-gd php-curl php-zip php-mbstring php-xml');
  return phpAvailable;
}
