<?php
/**
 * What both modules share: erp-bridge's state as the module page shows it (whether erp-bridge
 * answers, and the last run of each integration URL and of the order export, read from
 * erp-bridge's journal table), and the signed launch into erp-bridge's admin.
 *
 * One file for both packages (OpenCart 3.0 and 4.x load classes differently, so each module
 * includes it by path): it is installed as system/library/erp_bridge/status.php on 3.0 and as
 * extension/erp_bridge/system/library/status.php on 4.x. Plain PHP 7.3, no namespace.
 */
if (!class_exists('ErpBridgeStatus', false)) {
	final class ErpBridgeStatus {
		/** The journal's kinds the page always lists, in this order; others appear once they have run. */
		const KINDS = array('prices', 'stock', 'promo-prices', 'categories', 'order-status', 'order-export');
		/** Kinds listed even before their first run. */
		const ALWAYS = array('prices', 'stock', 'promo-prices', 'categories', 'order-export');

		/** Asks erp-bridge's /healthz (short timeouts: the module page must not hang on it). */
		public static function health($address) {
			if (!function_exists('curl_init')) {
				return array('ok' => false, 'schema' => '');
			}
			$curl = curl_init(rtrim($address, '/') . '/healthz');
			curl_setopt_array($curl, array(CURLOPT_RETURNTRANSFER => true, CURLOPT_CONNECTTIMEOUT => 2, CURLOPT_TIMEOUT => 3, CURLOPT_FOLLOWLOCATION => false));
			$body = curl_exec($curl);
			$status = (int)curl_getinfo($curl, CURLINFO_HTTP_CODE);
			curl_close($curl);
			$json = is_string($body) ? json_decode($body, true) : null;
			return array('ok' => $status === 200 && is_array($json), 'schema' => is_array($json) && isset($json['schemaVersion']) ? (string)$json['schemaVersion'] : '');
		}

		/**
		 * The last run of each kind: [['name' => …, 'run' => row|null], …]. $db is the shop's DB
		 * object, $language its Language (kind names are `kind_<kind>` in the module's language file).
		 */
		public static function lastRuns($db, $language) {
			$table = DB_PREFIX . 'erp_bridge_journal_run';
			$rows = array();
			if ($db->query("SHOW TABLES LIKE '" . $db->escape($table) . "'")->num_rows) {
				$query = $db->query("SELECT r.`kind`, r.`status`, r.`http_status`, r.`started_at`, r.`received`, r.`updated`, r.`message` FROM `" . $table . "` r JOIN (SELECT MAX(`id`) AS `id` FROM `" . $table . "` GROUP BY `kind`) m ON m.`id` = r.`id`");
				foreach ($query->rows as $row) {
					$rows[$row['kind']] = $row;
				}
			}
			$runs = array();
			foreach (self::KINDS as $kind) {
				if (isset($rows[$kind]) || in_array($kind, self::ALWAYS, true)) {
					$runs[] = array('name' => $language->get('kind_' . $kind), 'run' => isset($rows[$kind]) ? $rows[$kind] : null);
				}
			}
			return $runs;
		}

		/**
		 * The address that opens erp-bridge's admin as this shop user: short-lived, single use
		 * (a nonce), signed with the launch secret erp-bridge published in the shop's settings.
		 * The message's lines are what app/admin/launch.ts checks, in this order.
		 */
		public static function launchUrl($address, $secret, $uid, $user, $level, $lang) {
			$launch = array(
				'uid'   => (string)(int)$uid,
				'user'  => (string)$user,
				'level' => $level === 'modify' ? 'modify' : 'access',
				'ts'    => (string)time(),
				'nonce' => bin2hex(random_bytes(16)),
				'lang'  => (string)$lang,
			);
			$message = implode("\n", array('erp-bridge-launch-v1', $launch['uid'], $launch['user'], $launch['level'], $launch['ts'], $launch['nonce'], $launch['lang']));
			$launch['sig'] = hash_hmac('sha256', $message, $secret);
			return rtrim($address, '/') . '/admin/launch?' . http_build_query($launch, '', '&');
		}
	}
}
