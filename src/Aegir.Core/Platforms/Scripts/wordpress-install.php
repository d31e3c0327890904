<?php
// Installs one WordPress site without a browser. Reads its settings as JSON on stdin (the database
// password among them), so nothing secret is on the command line. Writes a JSON result on stdout.
$in = json_decode(stream_get_contents(STDIN), true);
if (!is_array($in)) { fwrite(STDERR, "no settings on stdin\n"); exit(2); }
foreach ($in['server'] as $key => $value) { $_SERVER[$key] = $value; }
$host = parse_url($in['server']['aegir_url'], PHP_URL_HOST);
$_SERVER['HTTP_HOST'] = $host;
$_SERVER['SERVER_NAME'] = $host;
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
define('WP_INSTALLING', true);

// No welcome mail: the password is handed to the caller instead.
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password) {}

chdir($in['root']);
require $in['root'] . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
if (is_blog_installed()) { fwrite(STDERR, "WordPress is already installed in this database\n"); exit(3); }
$result = wp_install($in['title'], $in['admin_user'], $in['admin_email'], true, '', wp_slash($in['admin_password']), $in['language']);
if (is_wp_error($result)) { fwrite(STDERR, $result->get_error_message() . "\n"); exit(4); }
// Asked again after the install: the caller believes WordPress, not the exit code.
wp_cache_flush();
echo json_encode(['user_id' => $result['user_id'], 'url' => $result['url'] ?? null, 'installed' => is_blog_installed()]), "\n";
