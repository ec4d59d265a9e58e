<?php
/**
 * erp-bridge module for OpenCart 3.0: a page showing erp-bridge's state, an admin menu entry
 * (an event on the left column, registered on install) and a signed launch into erp-bridge.
 *
 * erp-bridge itself keeps its settings under the setting code `erp_bridge`, which OpenCart never
 * deletes; this module only writes the package marker there (so erp-bridge knows the shop uses
 * the package) and reads the launch secret and erp-bridge's address that erp-bridge writes.
 */
// Shared with the 4.x package: the page's health check and last runs.
require_once DIR_SYSTEM . 'library/erp_bridge/status.php';

class ControllerExtensionModuleErpBridge extends Controller {
	const ROUTE = 'extension/module/erp_bridge';
	const EVENT_CODE = 'erp_bridge_menu';
	const VERSION = '1.0.0';

	public function index() {
		$this->load->language(self::ROUTE);
		$this->document->setTitle($this->language->get('heading_title'));
		$token = 'user_token=' . $this->session->data['user_token'];

		$data['breadcrumbs'] = array(
			array('text' => $this->language->get('text_home'), 'href' => $this->url->link('common/dashboard', $token, true)),
			array('text' => $this->language->get('text_extension'), 'href' => $this->url->link('marketplace/extension', $token . '&type=module', true)),
			array('text' => $this->language->get('heading_title'), 'href' => $this->url->link(self::ROUTE, $token, true)),
		);
		$data['back'] = $this->url->link('marketplace/extension', $token . '&type=module', true);
		$data['launch'] = $this->url->link(self::ROUTE . '/launch', $token, true);
		$data['readonly'] = !$this->user->hasPermission('modify', self::ROUTE);

		$settings = $this->bridgeSettings();
		$data['address'] = isset($settings['erp_bridge_public_url']) ? $settings['erp_bridge_public_url'] : '';
		$data['started'] = $data['address'] !== '' && !empty($settings['erp_bridge_launch_secret']);
		$data['health'] = $data['started'] ? \ErpBridgeStatus::health($data['address']) : null;
		$data['runs'] = \ErpBridgeStatus::lastRuns($this->db, $this->language);

		if (isset($this->session->data['error_erp_bridge'])) {
			$data['error_warning'] = $this->session->data['error_erp_bridge'];
			unset($this->session->data['error_erp_bridge']);
		} else {
			$data['error_warning'] = '';
		}

		$data['header'] = $this->load->controller('common/header');
		$data['column_left'] = $this->load->controller('common/column_left');
		$data['footer'] = $this->load->controller('common/footer');
		$this->response->setOutput($this->load->view(self::ROUTE, $data));
	}

	/** Sends the browser to erp-bridge with a short-lived, single-use, signed launch. */
	public function launch() {
		$this->load->language(self::ROUTE);
		$settings = $this->bridgeSettings();
		$secret = isset($settings['erp_bridge_launch_secret']) ? (string)$settings['erp_bridge_launch_secret'] : '';
		$address = isset($settings['erp_bridge_public_url']) ? rtrim((string)$settings['erp_bridge_public_url'], '/') : '';
		if ($secret === '' || $address === '') {
			$this->session->data['error_erp_bridge'] = $this->language->get('error_not_started');
			$this->response->redirect($this->url->link(self::ROUTE, 'user_token=' . $this->session->data['user_token'], true));
		}
		$level = $this->user->hasPermission('modify', self::ROUTE) ? 'modify' : 'access';
		$target = \ErpBridgeStatus::launchUrl($address, $secret, $this->user->getId(), $this->user->getUserName(), $level, $this->language->get('code'));
		// The admin URL holds user_token: it must not travel to erp-bridge as the Referer.
		header('Referrer-Policy: no-referrer');
		$this->response->redirect($target);
	}

	/** Event admin/view/common/column_left/before: the menu entry. */
	public function menu(&$route, &$data, &$output) {
		if (!$this->user->hasPermission('access', self::ROUTE) || !isset($this->session->data['user_token'])) {
			return;
		}
		// The product's name in every language; loading the module's language file here would
		// overwrite texts of the page being drawn.
		$data['menus'][] = array(
			'id'       => 'menu-erp-bridge',
			'icon'     => 'fa-exchange',
			'name'     => 'erp-bridge',
			'href'     => $this->url->link(self::ROUTE . '/launch', 'user_token=' . $this->session->data['user_token'], true),
			'children' => array(),
		);
	}

	public function install() {
		$this->load->model('setting/event');
		$this->model_setting_event->deleteEventByCode(self::EVENT_CODE);
		$this->model_setting_event->addEvent(self::EVENT_CODE, 'admin/view/common/column_left/before', self::ROUTE . '/menu');
		// Only this one key under `erp_bridge`: editSetting('erp_bridge') would wipe erp-bridge's settings.
		$this->db->query("DELETE FROM `" . DB_PREFIX . "setting` WHERE `store_id` = '0' AND `code` = 'erp_bridge' AND `key` = 'erp_bridge_package'");
		$this->db->query("INSERT INTO `" . DB_PREFIX . "setting` SET `store_id` = '0', `code` = 'erp_bridge', `key` = 'erp_bridge_package', `value` = '" . $this->db->escape(self::VERSION) . "', `serialized` = '0'");
		$this->load->model('setting/setting');
		$this->model_setting_setting->editSetting('module_erp_bridge', array('module_erp_bridge_status' => 1));
	}

	/** OpenCart removes the extension row: erp-bridge sees that and disables itself, keeping its data. */
	public function uninstall() {
		$this->load->model('setting/event');
		$this->model_setting_event->deleteEventByCode(self::EVENT_CODE);
	}

	private function bridgeSettings() {
		$this->load->model('setting/setting');
		return $this->model_setting_setting->getSetting('erp_bridge');
	}
}
