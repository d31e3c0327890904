<?php
// Installs one Drupal 7 site with Drupal's own installer, without a browser or drush. Reads its settings as JSON
// on stdin (the database password among them), so nothing secret is on the command line. The site's settings.php
// is already written (it reads the database from $_SERVER), so the installer skips its database form. Writes a
// JSON result on stdout.
$in = json_decode(stream_get_contents(STDIN), true);
if (!is_array($in)) { fwrite(STDERR, "no settings on stdin\n"); exit(2); }
foreach ($in['server'] as $key => $value) { $_SERVER[$key] = $value; }
// As a request to the site would be: Drupal finds sites/<uri> from the host name.
$_SERVER['HTTP_HOST'] = $in['uri'];
$_SERVER['SERVER_NAME'] = $in['uri'];
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $in['root'] . '/index.php';
$_SERVER['REQUEST_URI'] = '/install.php';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
$_SERVER['SERVER_SOFTWARE'] = 'aegir';

chdir($in['root']);
define('DRUPAL_ROOT', $in['root']);
define('MAINTENANCE_MODE', 'install');
require_once DRUPAL_ROOT . '/includes/install.core.inc';
$settings = array(
  'parameters' => array('profile' => $in['profile'], 'locale' => $in['locale']),
  'forms' => array(
    'install_configure_form' => array(
      'site_name' => $in['title'],
      'site_mail' => $in['admin_email'],
      'account' => array(
        'name' => $in['admin_user'],
        'mail' => $in['admin_email'],
        'pass' => array('pass1' => $in['admin_password'], 'pass2' => $in['admin_password']),
      ),
      // The form's own defaults: the update status module on, its mails to the admin.
      'update_status_module' => array(1 => TRUE, 2 => TRUE),
      'clean_url' => TRUE,
      'op' => 'Save and continue',
    ),
  ),
);
try {
  install_drupal($settings);
}
catch (Exception $e) {
  fwrite(STDERR, strip_tags($e->getMessage()) . "\n");
  exit(4);
}
// Asked afterwards: the caller believes Drupal's own record that its installer finished, not the exit code.
$done = db_query("SELECT value FROM {variable} WHERE name = 'install_task'")->fetchField();
echo json_encode(array('installed' => $done === serialize('done'), 'admin' => (int) db_query('SELECT COUNT(*) FROM {users} WHERE uid = 1')->fetchField())), "\n";
