<?php
// erp-bridge modul: magyar szövegek (az OpenCart 3.0 és 4.x közösen használja).
$_['heading_title']      = 'erp-bridge';
$_['text_extension']     = 'Bővítmények';
$_['text_intro']         = 'Az erp-bridge köti össze a boltot az ügyviteli rendszerrel: árak, készlet, akciós árak és kategóriák jönnek be, rendelések mennek ki. Külön szolgáltatásként fut a bolt mellett, a beállításait a bolt adatbázisában tartja.';
$_['text_open']          = 'erp-bridge megnyitása';
$_['text_address']       = 'Cím';
$_['text_service']       = 'Szolgáltatás';
$_['text_answers']       = 'válaszol (séma: %s)';
$_['text_no_answer']     = 'nem válaszol';
$_['text_not_started']   = 'Az erp-bridge még nem indult el ennek a boltnak az adatbázisával: indítsa el egyszer (lásd a leírását), majd töltse újra ezt az oldalt.';
$_['text_last_runs']     = 'Utolsó futások';
$_['text_never']         = 'még nem volt';
$_['text_readonly']      = 'Csak megtekintési joga van: az erp-bridge csak olvasható módban nyílik meg.';
$_['column_kind']        = 'Integráció';
$_['column_started']     = 'Kezdete';
$_['column_status']      = 'Eredmény';
$_['column_counts']      = 'Fogadott / módosított';
$_['kind_prices']        = 'Árak (készlet és ár)';
$_['kind_stock']         = 'Készlet';
$_['kind_promo-prices']  = 'Akciós árak';
$_['kind_categories']    = 'Kategóriák';
$_['kind_order-status']  = 'Rendelésállapot';
$_['kind_order-export']  = 'Rendelésexport';
$_['button_back']        = 'Vissza';
$_['error_permission']   = 'Figyelem: nincs jogosultsága az erp-bridge megnyitásához!';
$_['error_not_started']  = 'Az erp-bridge még nem indult el ennek a boltnak az adatbázisával.';
