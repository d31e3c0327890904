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

# A request the serving helper answers itself, without a fork (see serve): its fields come from $REQUEST, its output
# is gathered in $GATHERED, and its end is an exception the serving loop turns into the answer.
our ($REQUEST, $AT, $GATHERED);

sub need {
    my $n = shift;
    if (defined $REQUEST) {
        die "aegir-remote: the request ended early\n" if $AT + $n > length $REQUEST;
        $AT += $n;
        return substr($REQUEST, $AT - $n, $n);
    }
    my $buf = ''; while (length($buf) < $n) { my $r = sysread(STDIN, $buf, $n - length($buf), length($buf)); die "aegir-remote: the request ended early\n" unless $r; } $buf
}
sub field { my $len = unpack('N', need(4)); $len ? need($len) : '' }
sub finish { my $code = shift; die { code => $code } if defined $REQUEST; POSIX::_exit($code) }
sub fail { my ($code, $msg) = @_; die { code => $code, err => "$msg\n" } if defined $REQUEST; print STDERR "$msg\n"; POSIX::_exit($code) }
# What an answered-in-place request cannot do there (start a program): it is run again in a child of its own.
sub in_child { die { child => 1 } if defined $REQUEST }
sub out { if (defined $REQUEST) { $GATHERED .= $_[0]; return length $_[0] } syswrite(STDOUT, $_[0]) // fail(1, "cannot write: $!") }

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
    for my $i (0 .. $#parts) {
        my $part = $parts[$i];
        fail(2, "$path holds '..'") if $part eq '..';
        my $k = kind_of($part);
        # The folder itself is never a link: what the link leads to would be changed (its mode) in its place.
        fail(4, "$path is a symlink where a folder belongs; links are never followed") if $k eq 'link' && $i == $#parts;
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
        # The command's end wakes the wait below at once (a byte down a pipe of our own), not at its next look.
        pipe(my $wake_r, my $wake_w) or fail(1, "cannot make a pipe: $!");
        local $SIG{CHLD} = sub { syswrite($wake_w, 'x') };
        my $pid = fork() // fail(1, "cannot fork: $!");
        if ($pid == 0) {
            $SIG{CHLD} = 'DEFAULT';
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
        # session, or the serving helper), checked every fifth of a second.
        my $end = sub { kill('TERM', -$pid); sleep 1; kill('KILL', -$pid); POSIX::_exit($_[0]) };
        local $SIG{ALRM} = sub { print STDERR "aegir-remote: timed out\n"; $end->(124) };
        local $SIG{HUP} = local $SIG{PIPE} = local $SIG{TERM} = sub { $end->(129) };
        alarm($timeout) if $timeout > 0;
        while (waitpid($pid, POSIX::WNOHANG()) == 0) {
            $end->(129) if gone();
            my $bits = ''; vec($bits, fileno($wake_r), 1) = 1;
            sysread($wake_r, my $drained, 64) if select(my $ready = $bits, undef, undef, 0.2) > 0;
        }
        alarm(0);
        my $status = $?;
        kill('KILL', -$pid) if $own;
        POSIX::_exit($status & 127 ? 128 + ($status & 127) : $status >> 8);
    }
    elsif ($op eq 'kind') { my $name = walk_parent(field()); out(kind_of($name)) }
    elsif ($op eq 'read') {
        # At most $max bytes (0: any size), else exit 7 and the caller streams the file instead.
        my ($path, $max) = (field(), field() || 0);
        my $name = walk_parent($path);
        my $k = kind_of($name);
        fail(3, "$path does not exist") if $k eq 'none';
        fail(4, "$path is a symlink; links are never followed") if $k eq 'link';
        fail(4, "$path is a $k, not a file") unless $k eq 'file';
        sysopen(my $f, $name, O_RDONLY | O_NOFOLLOW | POSIX::O_NONBLOCK()) or fail(($! + 0) == POSIX::ENOENT() ? 3 : 4, "$path: $!");
        fail(4, "$path is no file") unless -f $f;
        fail(7, "$path is larger than $max bytes") if $max && -s $f > $max;
        binmode STDOUT;
        my $got = 0;
        while (my $n = sysread($f, my $buf, 65536)) { $got += $n; fail(7, "$path grew past $max bytes") if $max && $got > $max; out($buf) }
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
        finish(0) unless kind_of($name) eq 'dir';
        sysopen(my $d, $name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) or finish(0);
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
        my $name = walk_parent($path);
        my $k = kind_of($name);
        finish(0) if $k eq 'none';
        if ($k eq 'dir') {
            finish(0) if rmdir($name);
            in_child();
            no warnings 'exec'; exec { 'rm' } 'rm', '-rf', '--one-file-system', '--', "/proc/$$/cwd/$name"; fail(1, "rm: $!");
        }
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
        my @st = lstat($name) or finish(3);
        out((getpwuid($st[4]) // $st[4]) . "\0" . (getgrgid($st[5]) // $st[5]));
    }
    elsif ($op eq 'user') { finish(defined(getpwnam(field())) ? 0 : 3) }
    elsif ($op eq 'group') { finish(defined(getgrnam(field())) ? 0 : 3) }
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
    finish(0);
}

# Many requests over one channel (a connection's quick ones), each run by a child as a request of its own would be:
# a frame (length, then the fields and input) in; its exit code, standard output and error out, each length-prefixed.
our $KEEP = 16 * 1024 * 1024;

# Requests that only look at or change files and accounts: answered in the serving helper itself, a fork spared.
# Commands, deletes, moves and fetches still run in a child of their own (they may take long, or must never run twice).
my %INLINE = map { $_ => 1 } qw(kind read write list mkdir ensure chown chmod getmode owner user group primary resolve delete);

sub answer {
    my ($code, $out, $err) = @_;
    my $answer = pack('N', $code) . pack('N', length $out) . $out . pack('N', length $err) . $err;
    for (my $at = 0; $at < length $answer;) { my $n = syswrite(STDOUT, $answer, length($answer) - $at, $at); POSIX::_exit(1) unless $n; $at += $n }
}

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
        my $op = length($blob) >= 4 ? substr($blob, 4, unpack('N', substr($blob, 0, 4))) : '';
        if ($INLINE{$op}) {
            my ($code, $out, $err, $child) = (0, '', '', 0);
            {
                local ($REQUEST, $AT, $GATHERED) = ($blob, 0, '');
                my $warned = '';
                local $SIG{__WARN__} = sub { $warned .= $_[0] };
                eval { field(); dispatch($op) };
                my $end = $@ || { code => 0 };
                $child = ref $end eq 'HASH' && $end->{child};
                ($code, $err) = ref $end eq 'HASH' ? ($end->{code} // 0, $warned . ($end->{err} // '')) : (1, $warned . $end);
                $out = $GATHERED;
            }
            chdir('/');
            if (!$child) {
                answer($code, length($out) > $KEEP ? substr($out, 0, $KEEP) . "\n[" . (length($out) - $KEEP) . " more bytes of output left out]" : $out, $err);
                next;
            }
        }
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
        my ($out, $err, $off, @dropped) = ('', '', 0, 0, 0);
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
                # Kept up to a bound, as the control machine keeps a program's output: the rest is counted, not held.
                my $is_out = fileno($h) == fileno($out_r);
                my $kept = $is_out ? \$out : \$err;
                my $room = $KEEP - length($$kept);
                if ($room >= $n) { $$kept .= $buf } else { $$kept .= substr($buf, 0, $room) if $room > 0; $dropped[$is_out ? 0 : 1] += $n - ($room > 0 ? $room : 0) }
            }
        }
        $out .= "\n[$dropped[0] more bytes of output left out]" if $dropped[0];
        $err .= "\n[$dropped[1] more bytes of output left out]" if $dropped[1];
        if ($writes->count) { close $in_w }
        waitpid($pid, 0);
        $child = 0;
        my $status = $?;
        answer($status & 127 ? 128 + ($status & 127) : $status >> 8, $out, $err);
    }
}

my $op = field();
if ($op eq 'serve') { serve() } else { dispatch($op) }
