<?php
// erp-bridge module: English texts (OpenCart 3.0 and 4.x share this file).
$_['heading_title']      = 'erp-bridge';
$_['text_extension']     = 'Extensions';
$_['text_intro']         = 'erp-bridge connects this shop to the ERP: prices, stock, promo prices and categories come in, orders go out. It runs as its own service beside the shop and keeps its settings in the shop\'s database.';
$_['text_open']          = 'Open erp-bridge';
$_['text_address']       = 'Address';
$_['text_service']       = 'Service';
$_['text_answers']       = 'answers (schema %s)';
$_['text_no_answer']     = 'does not answer';
$_['text_not_started']   = 'erp-bridge has not been started against this shop\'s database yet: start it once (see its README), then reload this page.';
$_['text_last_runs']     = 'Last runs';
$_['text_never']         = 'never';
$_['text_readonly']      = 'You have view-only permission: erp-bridge opens read-only.';
$_['column_kind']        = 'Integration';
$_['column_started']     = 'Started';
$_['column_status']      = 'Result';
$_['column_counts']      = 'Received / updated';
$_['kind_prices']        = 'Prices (stock and price)';
$_['kind_stock']         = 'Stock';
$_['kind_promo-prices']  = 'Promo prices';
$_['kind_categories']    = 'Categories';
$_['kind_order-status']  = 'Order status';
$_['kind_order-export']  = 'Order export';
$_['button_back']        = 'Back';
$_['error_permission']   = 'Warning: you do not have permission to open erp-bridge!';
$_['error_not_started']  = 'erp-bridge has not been started against this shop\'s database yet.';
