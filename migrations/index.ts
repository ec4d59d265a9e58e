// The two migration lists. Plugin migrations run on every start; demo-shop migrations only on
// the embedded SQLite default or when `npm run demo:seed` asks for them.
import { pluginTables } from './plugin/001_plugin_tables.js';
import { ordersAndAdmin } from './plugin/002_orders_and_admin.js';
import { shopCollation } from './plugin/003_shop_collation.js';
import { launchNonces } from './plugin/004_launch_nonces.js';
import { sessionsAndFeed } from './plugin/005_sessions_and_feed.js';
import { findableRecords } from './plugin/006_findable_records.js';
import { healthAlerts } from './plugin/007_health_alerts.js';
import { orderStatus } from './plugin/008_order_status.js';
import { runPhase } from './plugin/009_run_phase.js';
import { lighterProductHistory } from './plugin/010_lighter_product_history.js';
import { lighterPromoStage } from './plugin/011_lighter_promo_stage.js';
import { historyByRun } from './plugin/012_history_by_run.js';
import { historyInBlocks } from './plugin/013_history_in_blocks.js';
import { historyByCode } from './plugin/014_history_by_code.js';
import { scratchStage } from './plugin/015_scratch_stage.js';
import { demoShopSchema } from './demo/001_demo_shop_schema.js';
import { demoShopSeed } from './demo/002_demo_shop_seed.js';
import { demoShopTaxZones } from './demo/003_demo_shop_tax_zones.js';
import type { Migration } from './types.js';

export const pluginMigrations: Migration[] = [pluginTables, ordersAndAdmin, shopCollation, launchNonces, sessionsAndFeed, findableRecords, healthAlerts, orderStatus, runPhase, lighterProductHistory, lighterPromoStage, historyByRun, historyInBlocks, historyByCode, scratchStage];
export const demoMigrations: Migration[] = [demoShopSchema, demoShopSeed, demoShopTaxZones];
export type { Migration };
