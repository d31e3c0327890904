# The module's hands on a remote server: sent on each connection's standard input (never as an argument), run by
# Debian's perl-base, which every Debian system has. Requests come on standard input as length-prefixed fields,
# so secrets (a command's environment, a file's content) cross only inside the SSH channel. Paths are walked from /
# one folder at a time, each opened and held, as SafePath does on the control machine: a symlink on the way is
# followed only in a folder root owns and no one else may write; the last component is never followed.
use strict;
use warnings;
use POSIX ();
use Fcntl qw(O_RDONLY O_WRONLY O_CREAT O_EXCL O_NOFOLLOW O_DIRECTORY S_ISLNK S_ISDIR S_ISREG S_IMODE);
use Cwd ();

# Who started this helper: when that process is gone, so is the connection. Under sudo (and a shell) the parent
# outlives the connection, so the process watched is sshd's session above it, when there is one within reach.
our $PARENT = getppid();
our $WATCH = $PARENT;
{
    my $pid = $PARENT;
    for (1 .. 6) {
        open(my $comm, '<', "/proc/$pid/comm") or last;
        my $name = <$comm> // ''; chomp $name;
        if ($name =~ /^sshd/) { $WATCH = $pid; last }
        open(my $stat, '<', "/proc/$pid/stat") or last;
        my $line = <$stat> // '';
        $pid = (split ' ', substr($line, rindex($line, ')') + 2))[1] or last;
        last if $pid <= 1;
    }
}
sub gone { getppid() != $PARENT || !kill(0, $WATCH) }

sub need { my $n = shift; my $buf = ''; while (length($buf) < $n) { my $r = sysread(STDIN, $buf, $n - length($buf), length($buf)); die "aegir-remote: the request ended early\n" unless $r; } $buf }
sub field { my $len = unpack('N', need(4)); $len ? need($len) : '' }
sub fail { my ($code, $msg) = @_; print STDERR "$msg\n"; POSIX::_exit($code) }
sub out { syswrite(STDOUT, $_[0]) // fail(1, "cannot write: $!") }

# Walks to the folder holding a path's last component and makes it this process's working folder; returns that name.
sub walk_parent {
    my ($path) = @_;
    fail(2, "$path is not an absolute path") unless $path =~ m{^/};
    my @parts = grep { length && $_ ne '.' } split m{/}, $path;
    fail(2, "$path names no file") unless @parts;
    my $name = pop @parts;
    fail(2, "$path holds '..'") if grep { $_ eq '..' } (@parts, $name);
    chdir('/') or fail(1, "cannot open /: $!");
    walk_into(\@parts, 0, $path);
    return $name;
}

sub walk_into {
    my ($parts, $depth, $path) = @_;
    for my $part (@$parts) {
        my @st = lstat($part);
        fail(3, "$path: no such file or folder (at $part)") unless @st;
        if (S_ISLNK($st[2])) {
            fail(1, "too many links on the way to $path") if $depth > 40;
            my @here = stat('.');
            # The admin's own links only: in a folder root owns that no one else may write.
            fail(4, "$path leads through the link $part in a folder others may write; links there are never followed")
                unless $here[4] == 0 && !($here[2] & 022);
            my $target = readlink($part) // fail(1, "cannot read the link $part: $!");
            chdir('/') or fail(1, "cannot open /: $!") if $target =~ m{^/};
            my @more = grep { length && $_ ne '.' } split m{/}, $target;
            walk_into([@more], $depth + 1, $path);
            next;
        }
        if ($part eq '..') { chdir('..') or fail(1, "cannot open ..: $!"); next; }
        sysopen(my $dir, $part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) or fail(3, "$path: $part is no folder ($!)");
        chdir($dir) or fail(1, "cannot enter $part: $!");
        close $dir;
    }
}

sub uid_of { my $u = shift; return -1 if $u eq ''; my $id = getpwnam($u); defined $id ? $id : fail(1, "there is no user '$u' on this server") }
sub gid_of { my $g = shift; return -1 if $g eq ''; my $id = getgrnam($g); defined $id ? $id : fail(1, "there is no group '$g' on this server") }
sub kind_of { my @st = lstat(shift); return 'none' unless @st; S_ISLNK($st[2]) ? 'link' : S_ISDIR($st[2]) ? 'dir' : S_ISREG($st[2]) ? 'file' : 'other' }

# mkdir -p below the walk, never through a link; a link in the way is refused.
sub make_dirs {
    my ($path, $mode, $uid, $gid) = @_;
    my @parts = grep { length && $_ ne '.' } split m{/}, $path;
    chdir('/') or fail(1, "cannot open /: $!");
    my $made = 0;
    for my $part (@parts) {
        fail(2, "$path holds '..'") if $part eq '..';
        my $k = kind_of($part);
        if ($k eq 'none') {
            mkdir($part, $mode) or fail(1, "cannot create $part in $path: $!");
            $made = 1;
            sysopen(my $d, $part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) or fail(4, "$part in $path changed under the walk");
            chown($uid, $gid, $d) if $uid >= 0 || $gid >= 0;
            chmod($mode, $d);
            chdir($d) or fail(1, "cannot enter $part: $!");
            next;
        }
        walk_into([$part], 0, $path) if $k eq 'link';
        next if $k eq 'link';
        fail(4, "$path: $part is a $k, not a folder") unless $k eq 'dir';
        sysopen(my $d, $part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) or fail(4, "$part in $path changed under the walk");
        chdir($d) or fail(1, "cannot enter $part: $!");
    }
    return $made;
}

# One request, as its own process: what it prints, and how it ends, are the answer.
sub dispatch {
    my ($op) = @_;
    if ($op eq 'run') {
        my $program = field();
        my @args = map { field() } 1 .. field();
        my $clear = field();
        my %env = map { (field(), field()) } 1 .. field();
        my ($cwd, $own, $timeout) = (field(), field(), field());
        my $pid = fork() // fail(1, "cannot fork: $!");
        if ($pid == 0) {
            $own ? POSIX::setsid() : setpgrp(0, 0);
            %ENV = () if $clear;
            @ENV{keys %env} = values %env;
            chdir($cwd) or fail(126, "cannot enter $cwd: $!");
            { no warnings 'exec'; exec { $program } $program, @args; }
            fail(127, "$program: $!");
        }
        close STDIN;
        # The command and all it started go when its time is up or this connection goes: a channel without a
        # terminal sends no hangup, so the connection's end is seen as this process losing its parent (sshd's
        # session, or the serving helper), checked often at first and every fifth of a second after.
        my $end = sub { kill('TERM', -$pid); sleep 1; kill('KILL', -$pid); POSIX::_exit($_[0]) };
        local $SIG{ALRM} = sub { print STDERR "aegir-remote: timed out\n"; $end->(124) };
        local $SIG{HUP} = local $SIG{PIPE} = local $SIG{TERM} = sub { $end->(129) };
        alarm($timeout) if $timeout > 0;
        my $pause = 0.001;
        while (waitpid($pid, POSIX::WNOHANG()) == 0) {
            $end->(129) if gone();
            select(undef, undef, undef, $pause);
            $pause = $pause < 0.2 ? $pause * 2 : 0.2;
        }
        alarm(0);
        my $status = $?;
        kill('KILL', -$pid) if $own;
        POSIX::_exit($status & 127 ? 128 + ($status & 127) : $status >> 8);
    }
    elsif ($op eq 'kind') { my $name = walk_parent(field()); out(kind_of($name)) }
    elsif ($op eq 'read') {
        my $path = field();
        my $name = walk_parent($path);
        sysopen(my $f, $name, O_RDONLY | O_NOFOLLOW) or fail(3, "$path: $!");
        fail(4, "$path is no file") unless -f $f;
        binmode STDOUT;
        while (sysread($f, my $buf, 65536)) { out($buf) }
    }
    elsif ($op eq 'write') {
        my ($path, $mode, $owner, $group) = (field(), oct(field()), field(), field());
        my $content = field();
        my ($uid, $gid) = (uid_of($owner), gid_of($group));
        my $name = walk_parent($path);
        fail(4, "$path is a link; links are never followed") if kind_of($name) eq 'link';
        my $tmp = ".$name.aegir-$$";
        sysopen(my $f, $tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600) or fail(1, "cannot write beside $path: $!");
        chown($uid, $gid, $f) or do { unlink $tmp; fail(1, "cannot give $path its owner: $!") } if $uid >= 0 || $gid >= 0;
        chmod($mode, $f);
        my $off = 0;
        while ($off < length $content) { my $w = syswrite($f, $content, length($content) - $off, $off); defined $w or do { unlink $tmp; fail(1, "cannot write $path: $!") }; $off += $w }
        close($f) or do { unlink $tmp; fail(1, "cannot write $path: $!") };
        rename($tmp, $name) or do { unlink $tmp; fail(1, "cannot write $path: $!") };
    }
    elsif ($op eq 'list') {
        my $path = field();
        my $name = walk_parent($path);
        exit 0 unless kind_of($name) eq 'dir';
        sysopen(my $d, $name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) or exit 0;
        chdir($d) or fail(1, "cannot enter $path: $!");
        opendir(my $h, '.') or fail(1, "cannot list $path: $!");
        out(join("\0", sort grep { $_ ne '.' && $_ ne '..' } readdir $h));
    }
    elsif ($op eq 'mkdir') {
        my ($path, $mode) = (field(), oct(field()));
        make_dirs($path, $mode, -1, -1);
        chmod($mode, '.');
    }
    elsif ($op eq 'ensure') {
        my ($root, $relative, $mode, $owner, $group) = (field(), field(), oct(field()), field(), field());
        my ($uid, $gid) = (uid_of($owner), gid_of($group));
        my $name = walk_parent($root);
        sysopen(my $r, $name, O_RDONLY | O_DIRECTORY) or fail(3, "$root: $!");
        chdir($r) or fail(1, "cannot enter $root: $!");
        my $made = 0;
        my @parts = grep { length && $_ ne '.' } split m{/}, $relative;
        for my $i (0 .. $#parts) {
            my $part = $parts[$i];
            fail(2, "$relative holds '..'") if $part eq '..';
            my $k = kind_of($part);
            fail(4, "$root/$relative: $part is a $k, and nothing below the root is followed or replaced") unless $k eq 'dir' || $k eq 'none';
            if ($k eq 'none') { mkdir($part, $i == $#parts ? 0700 : 0755) or fail(1, "cannot create $part: $!"); $made = 1 if $i == $#parts; }
            sysopen(my $d, $part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) or fail(4, "$part changed under the walk");
            if ($i == $#parts) { chown($uid, $gid, $d) if $uid >= 0 || $gid >= 0; chmod($mode, $d) }
            chdir($d) or fail(1, "cannot enter $part: $!");
        }
        out($made ? '1' : '0');
    }
    elsif ($op eq 'chown') {
        my ($path, $owner, $group) = (field(), field(), field());
        my $name = walk_parent($path);
        POSIX::lchown(uid_of($owner), gid_of($group), $name) or fail(1, "cannot change the owner of $path: $!");
    }
    elsif ($op eq 'chmod' || $op eq 'getmode') {
        my $path = field();
        my $mode = $op eq 'chmod' ? oct(field()) : 0;
        my $name = walk_parent($path);
        my $k = kind_of($name);
        fail(3, "$path does not exist") if $k eq 'none';
        fail(4, "$path is a symlink; links are never followed") if $k eq 'link';
        if ($op eq 'chmod') { chmod($mode, $name) or fail(1, "cannot change the mode of $path: $!") }
        else { out(sprintf('%o', S_IMODE((lstat($name))[2]))) }
    }
    elsif ($op eq 'delete') {
        my $path = field();
        my $name = eval { walk_parent($path) };
        my $k = kind_of($name);
        exit 0 if $k eq 'none';
        if ($k eq 'dir') { no warnings 'exec'; exec { 'rm' } 'rm', '-rf', '--one-file-system', '--', "/proc/$$/cwd/$name"; fail(1, "rm: $!") }
        unlink($name) or fail(1, "cannot delete $path: $!");
    }
    elsif ($op eq 'move') {
        my ($from, $to) = (field(), field());
        my $a = walk_parent($from);
        opendir(my $fromdir, '.') or fail(1, "cannot hold the folder of $from: $!");
        my $b = walk_parent($to);
        fail(5, "$to exists already") unless kind_of($b) eq 'none';
        rename("/proc/$$/fd/" . fileno($fromdir) . "/$a", $b) or fail(1, "cannot move $from to $to: $!");
    }
    elsif ($op eq 'owner') {
        my $path = field();
        my $name = walk_parent($path);
        my @st = lstat($name) or exit 3;
        out((getpwuid($st[4]) // $st[4]) . "\0" . (getgrgid($st[5]) // $st[5]));
    }
    elsif ($op eq 'user') { exit(defined(getpwnam(field())) ? 0 : 3) }
    elsif ($op eq 'group') { exit(defined(getgrnam(field())) ? 0 : 3) }
    elsif ($op eq 'primary') { my $u = field(); my @pw = getpwnam($u); out(@pw ? (getgrgid($pw[3]) // $u) : $u) }
    elsif ($op eq 'resolve') {
        my $path = field();
        my @rest;
        my $head = $path;
        until (-e $head || $head eq '/') { unshift @rest, ($head =~ m{([^/]+)/*$})[0]; $head =~ s{/*[^/]+/*$}{}; $head = '/' if $head eq '' }
        my $real = Cwd::realpath($head) // $head;
        out(join('/', $real eq '/' ? '' : $real, @rest) || '/');
    }
    elsif ($op eq 'fetch') {
        require IO::Socket::IP;
        my ($address, $port, $host, $path) = (field(), field(), field(), field());
        my $socket = IO::Socket::IP->new(PeerHost => $address, PeerPort => $port, Timeout => 20) or fail(1, "cannot connect to $address:$port: $@");
        print $socket "GET $path HTTP/1.0\r\nHost: $host\r\nUser-Agent: aegir\r\nConnection: close\r\n\r\n";
        my ($answer, $got) = ('', 0);
        # Headers and enough of a page for a check's texts.
        while ($got < 262144 + 65536 && (my $n = sysread($socket, my $buf, 65536))) { $answer .= $buf; $got += $n }
        binmode STDOUT;
        out($answer);
    }
    else { fail(2, "aegir-remote: no operation '$op'") }
    exit 0;
}

# Many requests over one channel (a connection's quick ones), each run by a child as a request of its own would be:
# a frame (length, then the fields and input) in; its exit code, standard output and error out, each length-prefixed.
sub serve {
    require IO::Select;
    $SIG{PIPE} = 'IGNORE';
    my $child = 0;
    # The connection gone: the request running goes too, with all it started.
    $SIG{HUP} = $SIG{TERM} = sub { kill('TERM', $child) if $child; POSIX::_exit(129) };
    while (1) {
        my $head = '';
        while (length($head) < 4) { my $r = sysread(STDIN, $head, 4 - length($head), length($head)); POSIX::_exit(0) unless $r; }
        my $blob = need(unpack('N', $head));
        pipe(my $in_r, my $in_w) or fail(1, "cannot make a pipe: $!");
        pipe(my $out_r, my $out_w) or fail(1, "cannot make a pipe: $!");
        pipe(my $err_r, my $err_w) or fail(1, "cannot make a pipe: $!");
        my $pid = fork() // fail(1, "cannot fork: $!");
        if ($pid == 0) {
            close $in_w; close $out_r; close $err_r;
            POSIX::dup2(fileno($in_r), 0); POSIX::dup2(fileno($out_w), 1); POSIX::dup2(fileno($err_w), 2);
            close $in_r; close $out_w; close $err_w;
            $SIG{PIPE} = 'DEFAULT'; $SIG{HUP} = $SIG{TERM} = 'DEFAULT';
            $PARENT = $WATCH = getppid();
            dispatch(field());
        }
        $child = $pid;
        close $in_r; close $out_w; close $err_w;
        my ($out, $err, $off) = ('', '', 0);
        my $reads = IO::Select->new($out_r, $err_r);
        my $writes = IO::Select->new();
        if (length $blob) { $writes->add($in_w) } else { close $in_w }
        while ($reads->count) {
            # The connection gone while the request runs: it goes too (its command's helper sees this one gone).
            if (gone()) { kill('TERM', $pid); POSIX::_exit(129) }
            my ($readable, $writable) = IO::Select->select($reads, $writes->count ? $writes : undef, undef, 0.2);
            for my $h (@{ $writable // [] }) {
                my $n = syswrite($h, $blob, 65536, $off);
                $off += $n if defined $n;
                if (!defined $n || $off >= length $blob) { $writes->remove($h); close $h }
            }
            for my $h (@{ $readable // [] }) {
                my $n = sysread($h, my $buf, 65536);
                if (!$n) { $reads->remove($h); close $h; next }
                if (fileno($h) == fileno($out_r)) { $out .= $buf } else { $err .= $buf }
            }
        }
        if ($writes->count) { close $in_w }
        waitpid($pid, 0);
        $child = 0;
        my $status = $?;
        my $answer = pack('N', $status & 127 ? 128 + ($status & 127) : $status >> 8) . pack('N', length $out) . $out . pack('N', length $err) . $err;
        for (my $at = 0; $at < length $answer;) { my $n = syswrite(STDOUT, $answer, length($answer) - $at, $at); POSIX::_exit(1) unless $n; $at += $n }
    }
}

my $op = field();
if ($op eq 'serve') { serve() } else { dispatch($op) }
